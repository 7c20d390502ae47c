# Neighbourhood Profiles: one app process (Streamlit) on port 8501. compose.yaml runs several behind nginx.
# Everything the app needs is in the image: nothing is fetched from the internet when it runs.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# DejaVu fonts for the PDF profile's text (lib/exports/pdf.py uses them when present).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Leaflet for the offline map, from its PyPI package into static/vendor/ (at build, not at run time).
RUN python -m lib.web.assets \
 && useradd --system --uid 10001 --create-home --home-dir /home/np np \
 && mkdir -p /app/data \
 && chown np /app/data

USER np
EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
