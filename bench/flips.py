"""Benchmark 4 (kernel side), in a fresh process: RSS growth of a kernel-side grid over 1,000 page flips.

`python flips.py URL KEY DATASET FLIPS` prints JSON with the RSS after warm-up and after the flips.
"""

import gc
import json
import sys

url, key, dataset_id, flips = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

from proc import rss_mb  # noqa: E402

from nbwidgets import Client, DatasetGrid  # noqa: E402

grid = DatasetGrid(Client.orq(key, url), dataset_id, page_size=25)
for _ in range(20):  # warm-up: caches fill to their bound
    grid.next_page()
gc.collect()
before = rss_mb()
for _ in range(flips):
    grid.next_page()
gc.collect()
after = rss_mb()
print(
    json.dumps(
        {
            "rss_before_mb": before,
            "rss_after_mb": after,
            "page": grid.page_number,
            "cached_pages": len(grid.pages._cache),
        }
    )
)
