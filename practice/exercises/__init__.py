"""The exercise library: built-in and counselors' own exercises, in unchangeable versions."""
