"""The benchmark: the production server under load, page by page, against a bare endpoint.

`practice bench` starts `practice serve` (gunicorn) with the operator's own settings, signs in
over HTTP as real clients do, and drives load at a few connection counts. The pages it asks for
write what they always write (an audit entry for every opening of a couple's record, session
activity), so run it against a seeded database (`practice seed`), never a practice in use.
"""


class BenchError(RuntimeError):
    """The benchmark cannot be carried out; the message says why and is safe to print."""
