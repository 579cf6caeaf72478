# Kantu 看图 in a container: the locked runtime (requirements.txt), run as a non-root user.
#   docker build -t kantu . && docker run -p 8501:8501 -e KANTU_API_KEY=... kantu
# compose.yaml runs two of these behind HAProxy on one PostgreSQL ledger (docs/scaling.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# The lock first: a code change does not reinstall the dependencies.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# The `kantu` command line too; the code stays root-owned and read-only for the app's user. The
# modules' bytecode is written here, once: the app's user cannot write it (nor would, with
# PYTHONDONTWRITEBYTECODE), and each replica's first visitor waited for ~150 modules to compile
# (app.py and pages/ Streamlit compiles from their text itself).
RUN pip install --no-deps . && rm -rf build *.egg-info \
    && python -m compileall -q components \
    && useradd --create-home --uid 10001 kantu
USER kantu

EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request as r; sys.exit(r.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read().strip() != b'ok')"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501", \
     "--server.headless", "true", "--browser.gatherUsageStats", "false"]
