"""deploy/gateway/nginx.conf: each prefix reaches its own service with the path kept,
the board's WebSocket gets the upgrade headers and a long timeout, every proxied
location forwards X-Forwarded-* and X-Request-ID, and only the API services are routed
(the worker answers no requests)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.deploy.manifests import (
    CONTAINER_PORT,
    MIN_WEBSOCKET_TIMEOUT,
    SERVICE_NAMES,
    WEBSOCKET_PATH,
    WORKER,
    compose_services,
)
from tests.deploy.nginx import (
    nginx_config,
    nginx_listen_port,
    nginx_locations,
    nginx_seconds,
    parse_nginx,
    proxied_locations,
    proxy_headers,
    proxy_target,
)


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_gateway_routes_prefix_to_its_service_unchanged(service: str) -> None:
    locations = nginx_locations()
    location = locations.get(f"/{service}/") or locations.get(f"^~ /{service}/")
    assert location is not None, f"no location for /{service}/"
    target = urlsplit(proxy_target(location))
    assert target.scheme == "http"
    assert target.hostname == service
    assert target.hostname in compose_services()
    assert target.port == CONTAINER_PORT
    # a URI part in proxy_pass would replace the matched prefix: the services need it kept
    assert target.path == "", "proxy_pass must not rewrite the path"


def test_gateway_proxies_board_websocket() -> None:
    location = nginx_locations().get(f"= {WEBSOCKET_PATH}") or nginx_locations().get(
        f"^~ {WEBSOCKET_PATH}"
    )
    assert location is not None, f"no dedicated location for {WEBSOCKET_PATH}"
    target = urlsplit(proxy_target(location))
    assert (target.hostname, target.port, target.path) == ("flow", CONTAINER_PORT, "")
    assert location.effective("proxy_http_version") == [["1.1"]]
    headers = proxy_headers(location)
    assert headers.get("upgrade") == "$http_upgrade"
    connection = headers.get("connection")
    assert connection in {"upgrade", "$connection_upgrade"}, connection
    if connection == "$connection_upgrade":
        maps = [
            block.args
            for block in nginx_config().walk()
            if block.name == "map" and block.args[1:] == ["$connection_upgrade"]
        ]
        assert maps == [["$http_upgrade", "$connection_upgrade"]]
    read_timeout = location.effective("proxy_read_timeout")
    assert read_timeout, "no proxy_read_timeout for the WebSocket"
    assert nginx_seconds(read_timeout[0][0]) >= MIN_WEBSOCKET_TIMEOUT


@pytest.mark.parametrize("location_key", [" ".join(block.args) for block in proxied_locations()])
def test_gateway_forwards_client_and_request_headers(location_key: str) -> None:
    headers = proxy_headers(nginx_locations()[location_key])
    assert headers.get("host") in {"$host", "$http_host"}
    assert headers.get("x-forwarded-for") in {"$remote_addr", "$proxy_add_x_forwarded_for"}
    assert headers.get("x-forwarded-proto") == "$scheme"
    assert "x-request-id" in headers


def test_gateway_routes_to_the_api_services_only() -> None:
    """Every API service is reachable; the worker, which answers no requests, is not."""
    hosts = {urlsplit(proxy_target(location)).hostname for location in proxied_locations()}
    assert hosts == set(SERVICE_NAMES)
    assert WORKER in compose_services()
    assert WORKER not in hosts
    assert nginx_listen_port() == 80


def test_nginx_parser_applies_header_inheritance() -> None:
    """A location that sets any proxy_set_header loses the server-level ones."""
    config = parse_nginx(
        "http { server { proxy_set_header X-Request-ID $request_id;"
        " location /a/ { proxy_pass http://a:8000; }"
        " location /b/ { proxy_set_header Upgrade $http_upgrade; proxy_pass http://b:8000; } } }"
    )
    locations = {block.args[0]: block for block in config.walk() if block.name == "location"}
    assert set(proxy_headers(locations["/a/"])) == {"x-request-id"}
    assert set(proxy_headers(locations["/b/"])) == {"upgrade"}
