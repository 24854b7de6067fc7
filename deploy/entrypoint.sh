#!/bin/sh
# WICC container entrypoint: one image, three API services, the worker and a migration mode.
#
#   serve (default)           run what $WICC_SERVICE names: an API service under uvicorn,
#                             or the worker when WICC_SERVICE=worker
#   capacity|flow|escalation  run that API service (overrides $WICC_SERVICE)
#   worker                    `wicc worker`: the background work of every service (outbox
#                             relays, event-log consumers, scheduled jobs), with /healthz,
#                             /readyz and /metrics on $WICC_WORKER_PORT (default 8001)
#   migrate                   `wicc migrate` (alembic upgrade head) then `wicc load-reference`
#   anything else             executed as given (e.g. `wicc --help`, `python`)
#
# Every service serves its own URL prefix (/capacity, /flow, /escalation), so the
# gateway / ingress routes by prefix without rewriting the path. API containers run only
# request handling (and flow's board hub): their modules build API-only apps, and all
# background work is the worker's, so adding API replicas never multiplies it.
set -eu

# Map a service name to the ASGI application uvicorn must load.
asgi_app() {
    case "$1" in
        capacity) echo "wicc_capacity.main:app" ;;
        flow) echo "wicc_flow.main:app" ;;
        escalation) echo "wicc_escalation.main:app" ;;
        *) return 1 ;;
    esac
}

serve() {
    service="${WICC_SERVICE:-}"
    if [ "$service" = "worker" ]; then
        run_worker "$@"
    fi
    if ! app="$(asgi_app "$service")"; then
        echo "entrypoint: WICC_SERVICE must be one of capacity, flow, escalation, worker (got '${service}')" >&2
        exit 64
    fi
    # --proxy-headers trusts X-Forwarded-* only from FORWARDED_ALLOW_IPS. The containers are
    # reachable only through the gateway / ingress, so trust the private network by default.
    # Keep-alive is longer than the proxies' upstream idle timeout to avoid 502s on reuse.
    # WebSockets as `wicc run` serves them: the board writes each pre-encoded frame
    # straight to every socket, which per-message compression would rule out, and
    # ignores what clients send, so their messages are capped at 4 KiB
    # (MAX_CLIENT_MESSAGE_BYTES in wicc_flow/board/frame_sink.py).
    exec uvicorn "$app" \
        --host 0.0.0.0 \
        --port "${PORT:-8000}" \
        --ws wicc_flow.board.uvicorn_frame_sink:FrameSinkWebSocketProtocol \
        --ws-per-message-deflate false \
        --ws-max-size 4096 \
        --proxy-headers \
        --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
        --no-server-header \
        --timeout-keep-alive "${WICC_KEEPALIVE_TIMEOUT:-75}" \
        --timeout-graceful-shutdown "${WICC_GRACEFUL_SHUTDOWN_TIMEOUT:-20}" \
        "$@"
}

run_worker() {
    # The settings default to loopback (right for `wicc run` on a laptop); in a container
    # the orchestrator's probes and Prometheus reach the worker from outside it.
    WICC_HOST="${WICC_HOST:-0.0.0.0}"
    export WICC_HOST
    exec wicc worker "$@"
}

command="${1:-serve}"
if [ "$#" -gt 0 ]; then shift; fi

case "$command" in
    serve)
        serve "$@"
        ;;
    capacity | flow | escalation)
        WICC_SERVICE="$command"
        export WICC_SERVICE
        serve "$@"
        ;;
    worker)
        WICC_SERVICE=worker
        export WICC_SERVICE
        run_worker "$@"
        ;;
    migrate)
        wicc migrate
        exec wicc load-reference
        ;;
    *)
        exec "$command" "$@"
        ;;
esac
