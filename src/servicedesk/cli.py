"""The `servicedesk` command: demo, serve, migrate, seed, worker, beat, mail-in, integration and
Django's own commands."""

import argparse
import os
import sys


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _post_worker_init(worker) -> None:
    """Each web worker, once forked: its start-up heap frozen (`worker_heap_freeze`) and,
    without a broker, the periodic jobs run by itself (they are safe to overlap)."""
    from django.conf import settings

    from servicedesk.core.jobs import worker_heap_freeze

    worker_heap_freeze()
    if settings.SERVICEDESK_JOBS == "thread":
        from servicedesk.core.scheduler import embedded_scheduler_start

        embedded_scheduler_start()


def _serve(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from servicedesk.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", os.environ.get("ACCESS_LOG", None) or None)
            self.cfg.set("timeout", 60)
            self.cfg.set("post_worker_init", _post_worker_init)

        def load(self):
            return application

    Server().run()


EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and retries


def _mail_in(mailbox: str | None, mbox: bool, store_only: bool) -> int:
    """Store the message on standard input (or each message of an mbox) in `mailbox`; 0 once
    stored, EX_TEMPFAIL when it could not be (the MTA retries). Then process what was stored,
    unless `store_only`: a failure there is kept on the message, and the exit stays 0."""
    import mailbox as stdlib_mailbox
    import tempfile

    from servicedesk.mailin.services import inbound_process, inbound_store, mailbox_for

    raw = sys.stdin.buffer.read()
    stored: list[int] = []
    try:
        box = mailbox_for(mailbox)
        if mbox:
            with tempfile.NamedTemporaryFile(suffix=".mbox") as archive:
                archive.write(raw)
                archive.flush()
                messages = stdlib_mailbox.mbox(archive.name, create=False)
                for key in messages.iterkeys():
                    row, _new = inbound_store(
                        mailbox=box, raw=messages.get_bytes(key), process=False
                    )
                    stored.append(row.pk)
        else:
            row, _new = inbound_store(mailbox=box, raw=raw, process=False)
            stored.append(row.pk)
    except Exception as error:  # noqa: BLE001 - whatever stops the store is a temporary failure to the MTA
        print(f"servicedesk mail-in: not stored: {error}", file=sys.stderr)
        return EX_TEMPFAIL
    if not store_only:
        try:
            for pk in stored:
                inbound_process(message_id=pk)
        except Exception as error:  # noqa: BLE001 - stored already: the periodic job processes it
            print(f"servicedesk mail-in: stored, processing later: {error}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="servicedesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("demo", "serve"):
        p = sub.add_parser(name, help="seed demo data and serve" if name == "demo" else "serve")
        p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        p.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    sub.add_parser("migrate", help="apply database migrations")
    seed = sub.add_parser("seed", help="create demo data, or N tickets for benchmarks")
    seed.add_argument("--tickets", type=int, default=0, help="bulk-create this many tickets")
    sub.add_parser("createsuperuser", help="create an administrator", add_help=False)
    sub.add_parser("worker", help="run a Celery worker", add_help=False)
    sub.add_parser("beat", help="run the Celery schedule", add_help=False)
    sub.add_parser("manage", help="any Django management command", add_help=False)
    integration = sub.add_parser("integration", help="monitoring integrations")
    integration_sub = integration.add_subparsers(dest="integration_command", required=True)
    create = integration_sub.add_parser(
        "create", help="create one; its routing key is printed on the last line"
    )
    create.add_argument("--name", required=True)
    create.add_argument("--source", required=True, choices=["alertmanager", "pagerduty", "generic"])
    create.add_argument("--service", help="the service's name or id")
    create.add_argument("--group", help="the default assignment group's name or id")
    create.add_argument("--auto-resolve", action="store_true")
    create.add_argument("--page", action="store_true", help="its incidents page the on-call")
    mail_in = sub.add_parser("mail-in", help="store one email read on standard input (MTA pipe)")
    mail_in.add_argument("--mailbox", help="the mailbox's name (default: the default mailbox)")
    mail_in.add_argument(
        "--mbox", action="store_true", help="standard input is an mbox: store each message"
    )
    mail_in.add_argument(
        "--store-only", action="store_true", help="store only; the periodic job processes it"
    )

    argv = sys.argv[1:] if argv is None else argv
    args, rest = parser.parse_known_args(argv)
    if args.command == "mail-in":
        try:
            _django_setup()
        except Exception as error:  # noqa: BLE001 - a broken set-up is a temporary failure to the MTA
            print(f"servicedesk mail-in: not stored: {error}", file=sys.stderr)
            sys.exit(EX_TEMPFAIL)
        sys.exit(_mail_in(args.mailbox, args.mbox, args.store_only))
    _django_setup()
    if args.command == "migrate":
        _manage("migrate", "--no-input", *rest)
    elif args.command == "seed":
        _manage("migrate", "--no-input", "--verbosity", "0")
        if args.tickets:
            _manage("seed_tickets", str(args.tickets))
        else:
            _manage("seed_demo")
    elif args.command == "demo":
        _manage("migrate", "--no-input", "--verbosity", "0")
        _manage("seed_demo")
        print(f"\nservicedesk is running at http://{args.host}:{args.port}/  (Ctrl+C stops it)\n")
        _serve(args.host, args.port, args.workers, args.threads)
    elif args.command == "serve":
        _manage("migrate", "--no-input", "--verbosity", "0")
        _serve(args.host, args.port, args.workers, args.threads)
    elif args.command == "createsuperuser":
        _manage("createsuperuser", *rest)
    elif args.command in {"worker", "beat"}:
        from servicedesk.celery import app
        from servicedesk.core.scheduler import beat_schedule

        # Every app has registered its periodic tasks by now (AppConfig.ready()).
        app.conf.beat_schedule = beat_schedule()
        app.start([args.command, "--loglevel=INFO", *rest])
    elif args.command == "integration":
        options = ["--name", args.name, "--source", args.source]
        options += ["--service", args.service] if args.service else []
        options += ["--group", args.group] if args.group else []
        options += ["--auto-resolve"] if args.auto_resolve else []
        options += ["--page"] if args.page else []
        _manage("integration_create", *options)
    elif args.command == "manage":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["servicedesk", *rest])


if __name__ == "__main__":
    main()
