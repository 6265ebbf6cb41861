"""Builds the three one-device rings of the test Swift in one Python process.

The same calls as `swift-ring-builder <type>.builder create 0 1 1`, `add r1z1-127.0.0.1:<port>/d1 1`
and `rebalance`, for account, container and object: one interpreter start instead of nine (each
`swift-ring-builder` run imports Swift anew, seconds apiece on a loaded machine).
Usage: build-rings.py <swift_dir> <account port> <container port> <object port>
"""
import os
import sys

from swift.common.ring import RingBuilder

swift_dir = sys.argv[1]
for server_type, port in zip(("account", "container", "object"), sys.argv[2:5]):
    builder = RingBuilder(0, 1, 1)
    builder.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port), "device": "d1", "weight": 1})
    builder.rebalance()
    builder.save(os.path.join(swift_dir, server_type + ".builder"))
    builder.get_ring().save(os.path.join(swift_dir, server_type + ".ring.gz"))
