"""The referral directory (Open Referral HSDS 3.0), its search, and referrals."""
