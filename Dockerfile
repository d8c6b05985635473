# Tunewise for an intranet: one image, configured by environment (DATABASE_URL, TUNEWISE_*).
# The same steps as `make run`: pinned uv, the locked dependencies, uvicorn serving app.main:app.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

# WeasyPrint's system libraries (the same Debian packages `make run` installs when missing).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir "uv==0.13.8" \
    && useradd --create-home --uid 10001 tunewise

WORKDIR /srv/tunewise
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY app ./app
COPY migrations ./migrations
COPY alembic.ini ./
COPY templates ./templates
COPY static ./static
# The app's bytecode and its parsed TOML data (app/toml_data.py), made once here: the running
# image writes neither (PYTHONDONTWRITEBYTECODE), and `python -m app recommend` starts faster.
RUN .venv/bin/python -m compileall -q app && .venv/bin/python -m app.toml_data
RUN mkdir -p var && chown tunewise:tunewise var && chmod 700 var

USER tunewise
ENV PATH="/srv/tunewise/.venv/bin:$PATH"
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# Behind a load balancer set TUNEWISE_TRUSTED_PROXIES='["<its address>"]': the client address
# for rate limits then comes from its X-Forwarded-For, and from nobody else (unset: no proxy is
# believed). `python -m app serve` is uvicorn with the keep-alive, concurrency and shutdown
# limits of TUNEWISE_SERVER_* and the proxies of TUNEWISE_TRUSTED_PROXIES.
CMD ["python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-access-log"]
