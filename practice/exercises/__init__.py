"""The exercise library, homework assignments, answers, feedback and agreements."""
