"""The retrieval engine: catalog loading, embedders, the hybrid index and search.

Three native thread pools share this process (the e5 engine's OpenMP, FAISS's
OpenMP and BLAS). Idle OpenMP workers spin by default, and on a two-core machine
their spinning starved the next query: an e5 query that takes 15 ms alone took up
to 2.5 s after a FAISS or NumPy call. Passive waiting must be chosen before those
libraries load, which is why it is set here, before anything imports them; a value
the user already set is kept.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
