"""The demo world: a deterministic, realistic B2B workspace for demos and benchmarks.

``generate_demo(engine, contacts=N, seed=S, now=...)`` fills an empty
workspace with a fictional seller's users, accounts with buying committees,
install bases and contracts, consent histories, 24 months of events and the
opportunities and meetings that came of them; and for planning and insight,
offer modules, channel costs, follower and survey lists, campaign answers,
ghost accounts and champions who moved.
"""

from silverplatter.services.demo.generate import DemoSummary, generate_demo

__all__ = ["DemoSummary", "generate_demo"]
