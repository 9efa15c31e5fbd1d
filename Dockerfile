# Medora web, worker and beat image (one image, three commands; see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

RUN groupadd --system --gid 10001 medora \
    && useradd --system --uid 10001 --gid medora --home-dir /app --shell /usr/sbin/nologin medora

# Exactly the pinned set: --no-deps installs only what requirements.txt lists, pip check proves it is complete.
COPY requirements.txt ./
RUN pip install --no-deps -r requirements.txt && pip check

COPY . .

# Static files are built into the image; the key only exists for this command and is not a secret.
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-time-only-not-a-secret-0123456789abcdefgh \
        ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R medora:medora /app/var

USER medora

EXPOSE 8000

# No curl in slim images: the probe is Python. The Host header is the first ALLOWED_HOSTS entry, so the
# request is accepted; /healthz is exempt from the HTTPS redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = (os.environ.get('ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]

CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--timeout", "30", "--graceful-timeout", "30"]
