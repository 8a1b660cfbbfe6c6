"""A stand-in group robot on 127.0.0.1 for the tests: records every request (path with
query, JSON body) and answers like 企业微信/钉钉 ({"errcode": 0}), or with an error while
`down` is set. The test allows it through core.net explicitly (settings)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RobotServer:
    def __init__(self, test, *, delay: float = 0.0):
        self.received: list[dict] = []
        self.down = False
        self.delay = delay
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        test.addCleanup(self.server.server_close)
        test.addCleanup(self.server.shutdown)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        # The robot is local and plain http: allowed here, and only here (core.net).
        allow = test.settings(ROBOT_WEBHOOK_HOSTS=[self.origin],
                              ROBOT_WEBHOOK_ALLOW_PRIVATE=["127.0.0.1/32"])
        allow.enable()
        test.addCleanup(allow.disable)

    def url(self, path="/robot/send?access_token=t1") -> str:
        return self.origin + path

    def _handler(self):
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if robot.delay:
                    time.sleep(robot.delay)  # so overlapping runners really overlap
                with robot.lock:
                    robot.received.append({"path": self.path, "body": body})
                answer = ({"errcode": 310000, "errmsg": "busy"} if robot.down
                          else {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
