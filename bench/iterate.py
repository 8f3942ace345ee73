"""One side of benchmark 1, in a fresh process: `python iterate.py nbwidgets|sdk URL KEY DATASET PAGE_SIZE`.

Prints JSON: seconds to iterate every datapoint, how many, and the process's memory (RSS) before and at peak.
"""

import json
import resource
import sys
import time

from proc import rss_mb

tool, url, key, dataset_id, page_size = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])


if tool == "nbwidgets":
    from nbwidgets import Client

    client = Client.orq(key, url)

    def every():
        yield from client.iter_datapoints(dataset_id, page_size=page_size)
else:
    from orq_ai_sdk import Orq

    orq = Orq(api_key=key, server_url=url)

    def every():
        cursor = None
        while True:
            page = orq.datasets.list_datapoints(dataset_id=dataset_id, limit=page_size, starting_after=cursor)
            yield from page.data
            if not page.has_more or not page.data:
                return
            cursor = page.data[-1].id


start_rss = rss_mb()
started = time.perf_counter()
count = sum(1 for _ in every())
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "count": count, "rss_start_mb": start_rss, "rss_peak_mb": peak}))
