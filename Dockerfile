FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/parley

# Pango for WeasyPrint's PDFs; DejaVu covers Armenian and Azerbaijani letters.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py && pip install -e . && rm -rf app

COPY alembic.ini ./
COPY app app
COPY migrations migrations
COPY templates templates
COPY static static

RUN useradd --system --home /srv/parley parley && mkdir -p var && chown parley var
USER parley
EXPOSE 8000

# Migrations run at every start; then the server, behind the proxy that terminates TLS.
CMD ["sh", "-c", "parley db upgrade && parley serve --host 0.0.0.0 --port 8000 --workers ${PARLEY_WORKERS:-2}"]
