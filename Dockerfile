# netledger API / worker image. Production sets DATABASE_URL, REDIS_URL and
# NETLEDGER_SECRET_KEY at run time (see docker-compose.yml); nothing secret is baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --uid 10001 --user-group --create-home --shell /usr/sbin/nologin netledger \
    && install -d -o netledger -g netledger -m 0700 /data

WORKDIR /app

# Dependencies first, in their own layer, so code changes do not reinstall them: install
# the project with a placeholder package, then remove the project itself. (README.md is
# not needed: setuptools only warns when the readme is missing.)
COPY pyproject.toml ./
RUN mkdir app && touch app/__init__.py \
    && pip install . \
    && pip uninstall -y netledger \
    && rm -rf app build ./*.egg-info

# app/migrate.py finds alembic.ini and migrations/ next to the `app` package, so the code
# stays here (editable install: one copy, plus the `netledger` command) rather than
# in site-packages, where migrations/ would not be found.
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
RUN pip install --no-deps -e . \
    && python -c "import app.cli"

USER netledger
# Only used if DATABASE_URL / REDIS_URL are left unset (embedded services) or for local
# state; production sets both URLs and the secret key.
ENV NETLEDGER_DATA_DIR=/data \
    NETLEDGER_ENV=production

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["netledger", "api", "--host", "0.0.0.0", "--port", "8000"]
