"""Production gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`."""

import os

# Only where the proxy reaches it: nginx on this host by default; another host's balancer on a
# private address (docs/deploy.md). A client reaching gunicorn directly forges X-Forwarded-For.
bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.getenv("GUNICORN_WORKERS", "5"))
worker_class = "sync"
timeout = int(os.getenv("GUNICORN_TIMEOUT", "60"))
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Paths only: query strings can carry search terms, which may be names.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1")
