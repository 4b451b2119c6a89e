"""The pages that gather several areas: the counselor's caseload, a couple's case, and a
partner's portal home."""
