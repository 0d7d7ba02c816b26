"""gunicorn's access log without the load balancer's healthy probes (one line per probe per node is noise).

A failing probe (any status but 200) is still logged, and so is every other request.
"""

from gunicorn.glogging import Logger

HEALTH_PATH = "/healthz"


class ConsoleLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO") == HEALTH_PATH and getattr(resp, "status_code", None) == 200:
            return
        super().access(resp, req, environ, request_time)
