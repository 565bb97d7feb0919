# One image for every service of the studio credits platform (bookings, credits, reports,
# notifier). The service is chosen by the command, which is a module name handed to
# `python -m`, e.g. `docker run <image> services.credits` or, in compose,
# `command: ["services.credits"]`. Each service listens on $HOST:$PORT; HOST is set to
# 0.0.0.0 here (the settings default is 127.0.0.1, unreachable from outside a container).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0

# Install the project (packages `shared` and `services`) into site-packages. Only what the
# build needs is copied; README* is optional and only there in case pyproject names it.
WORKDIR /build
COPY pyproject.toml README* ./
COPY shared ./shared
COPY services ./services
RUN pip install . && rm -rf /build

RUN useradd --system --create-home --uid 10001 --user-group app
# Run from a directory without sources, so the installed packages are the ones imported.
WORKDIR /home/app
USER app

EXPOSE 8001 8002 8003 8004

ENTRYPOINT ["python", "-m"]
