"""gunicorn, the alternative web server.

    gunicorn -c /etc/trustroom/gunicorn.conf.py trustroom.wsgi:application

granian (deploy/granian.env) is the recommended server; use this file where gunicorn is the house
standard. To switch, change ExecStart in trustroom-web.service (see docs/deploy.md).
"""

import multiprocessing

# nginx on the same host proxies here (deploy/nginx/trustroom.conf).
bind = ["127.0.0.1:8000"]

# Threaded workers: a slow client or a long download does not hold a whole process. Each thread uses
# its own database connection; size PostgreSQL's max_connections for workers x threads + Celery.
worker_class = "gthread"
workers = 2 * multiprocessing.cpu_count()
threads = 2

# A request running longer than this is killed (the transaction rolls back); evidence exports and
# scanner imports run in Celery, not in the request.
timeout = 60
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then (a bound on slow leaks), staggered so they do not all restart at once.
max_requests = 5000
max_requests_jitter = 500

# Only nginx on loopback may set X-Forwarded-Proto; Django reads it through SECURE_PROXY_SSL_HEADER
# (TRUSTROOM_BEHIND_TLS_PROXY=true) and X-Forwarded-For through TRUSTROOM_TRUSTED_PROXIES.
forwarded_allow_ips = "127.0.0.1,::1"

# Logs go to the journal; nginx writes the access log.
accesslog = None
errorlog = "-"
loglevel = "info"
capture_output = True
