"""A local SMTP sink for bench/mail_delivery.py, run in its own process: aiosmtpd on 127.0.0.1.

Prints "PORT <n>" once it listens; then answers each line "count" on standard input with the
number of messages received so far, and stops at end of input.
"""

import socket
import sys
from contextlib import closing

from aiosmtpd.controller import Controller


class Counting:
    def __init__(self) -> None:
        self.messages = 0
        self.octets = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.octets += len(envelope.original_content or b"")
        return "250 OK"


def main() -> None:
    handler = Counting()
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        print(f"PORT {port}", flush=True)
        for line in sys.stdin:
            if line.strip() == "count":
                print(f"{handler.messages} {handler.octets}", flush=True)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
