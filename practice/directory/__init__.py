"""The directory of local services (Open Referral HSDS 3.0): import, export, index, search."""
