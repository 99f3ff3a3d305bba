# Production image: Python + the built front-end assets, served by gunicorn with WhiteNoise.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-assets.mjs scripts/
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DMS_BIND=0.0.0.0:8000
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 dms
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install -e .
COPY . .
COPY --from=assets /app/static/vendor static/vendor
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && mkdir -p var/media && chown -R dms:dms var
USER dms
EXPOSE 8000
CMD ["gunicorn", "dms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
