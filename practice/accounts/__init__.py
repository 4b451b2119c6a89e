"""Users, roles, sign-in and invitations."""
