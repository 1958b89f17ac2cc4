"""The checking engine, stage by stage: numerical derivatives (numeric.py), the verdict's
policy (policy.py), per-entry bounds (bounds.py), the comparison and resolution
(compare.py), one row's verdict with its second look (verdict.py), directional checks
(directional.py), step studies (taylor.py), and a whole check into a Report (checking.py).
"""
