"""Run the outbox sweeper now (what the every-minute django-q2 schedule does), once or in a loop."""

import time

from django.core.management.base import BaseCommand

from sms_templates.tasks import sweep


class Command(BaseCommand):
    help = "短信发件箱巡检：重新入队到期的重试和卡在待发送/发送中的短信。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="每隔多少秒巡检一次（默认只巡检一次）")
        parser.add_argument("--batch", type=int, default=None, help="每次最多入队的条数")

    def handle(self, *args, loop: float, batch: int | None, **options):
        while True:
            counts = sweep(batch=batch)
            if options["verbosity"] > 1 or any(counts.values()):
                self.stdout.write("入队 {enqueued}，收回 {reclaimed}，放弃 {given_up}".format(**counts))
            if not loop:
                return
            time.sleep(loop)
