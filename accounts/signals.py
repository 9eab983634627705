"""How the apps above accounts take part in an account's erasure and export without
accounts importing them: each app connects receivers in its `account_data.py`, which
core/apps.py imports for every app.

- `account_erasing`: sent by `accounts.services.account_erase` inside its transaction,
  holding the account's row lock, before the account's own columns are overwritten. Each
  receiver erases or ends what its app holds about the person (raising refuses the whole
  erasure: nothing changes). Arguments: `user`; `addresses`, every address the account
  had (set of str); `placeholder`, the address the account keeps (`erased_email`);
  `old_name`, the name the admin's log shows for it; `pseudonym`, the name it will show.
- `account_export_requested`: sent by `accounts.selectors.account_export`. Each receiver
  returns a dict of sections ({"ideas": [...], ...}), JSON-ready data about `user` only;
  the selector puts them in `EXPORT_SECTIONS` order."""

from django.dispatch import Signal

account_erasing = Signal()
account_export_requested = Signal()
