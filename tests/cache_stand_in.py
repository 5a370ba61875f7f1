"""A stand-in HTTP cache for the purge tests: it records what it is told, and can stall."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CacheStandIn:
    """An HTTP cache on a free port of 127.0.0.1 that records the keys of each PURGE
    (`xkey-purge`) as it arrives (`received`, and `arrived` is set) and once answered
    (`answered`).

    A purge for which `stalls(number)` is true (numbered from 1) waits until `resume` is
    set or `stall_seconds` pass; then it is answered, or with `drop_stalled` closed
    unanswered, as a cache whose client died meanwhile.
    """

    def __init__(self, *, stalls=lambda number: False, stall_seconds=30, drop_stalled=False):
        self.received, self.answered = [], []
        self.arrived, self.resume = threading.Event(), threading.Event()
        self.stalled = threading.Event()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):
                keys = set(self.headers["xkey-purge"].split())
                stand_in.received.append(keys)
                stand_in.arrived.set()
                if stalls(len(stand_in.received)):
                    stand_in.stalled.set()
                    stand_in.resume.wait(stall_seconds)
                    if drop_stalled:
                        return
                self.send_response(200)
                self.end_headers()
                stand_in.answered.append(keys)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.resume.set()
        self.server.shutdown()
        self.server.server_close()
