"""Each partner's private intake: why they come, what they hope for, what weighs on them."""
