"""Result methods of Foule's campaign formats: pure functions on plain data (no Django, no
database), each documenting its tie-break rule.

| module | format | entry points |
|---|---|---|
| `approval` | election: single choice, approval | `single_choice_result`, `approval_result` |
| `schulze` | election: ranked (Schulze) | `schulze` |
| `irv` | election: ranked (instant runoff) | `instant_runoff` |
| `bradley_terry` | pairwise survey | `bradley_terry`, `next_pair` |
| `budget` | participatory budget | `validate_budget_ballot`, `budget_result` |
| `ratings` | idea challenge, star ratings | `bayesian_average`, `hot_score`, `controversy` |
| `contest` | creative contest: jury and public | `contest_result`, `jury_part`, `public_part` |
"""
