"""The practice's informed consent, with its policy on secrets between partners, and each
partner's e-signature of the exact version they read."""
