# A gunicorn configuration for one app server: `practice serve --config docs/gunicorn.conf.py`.
# Settings here win over `practice serve`'s options. The access log's format and its hiding of
# tokens and query strings are set by `practice serve` itself; leave them out of this file.

bind = "127.0.0.1:8000"  # behind the reverse proxy, which terminates https
# Sync workers serve one request each at a time: about two per core. Reports do not hold
# them when REDIS_URL is set (a `practice worker` makes the PDFs).
workers = 4
# A page answers in milliseconds; a worker stuck this long is restarted.
timeout = 30
graceful_timeout = 30
# A worker is replaced after this many requests (with some jitter, so not all at once),
# which keeps memory from creeping up over weeks.
max_requests = 2000
max_requests_jitter = 200
# The proxy keeps connections open to us for this long between requests.
keepalive = 5
