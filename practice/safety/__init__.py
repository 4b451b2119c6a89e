"""The counselor's follow-up of a positive safety check: the individual conversation, a
risk review and a decision that changes what happens next."""
