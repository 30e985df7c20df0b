-- The canonical namespace: repositories without one ("gpt2", "squad"),
-- like the Hub's oldest. It is an organization named '' (no user or
-- organization can be: names are never empty), so its members' roles say
-- who may write them; `khubctl repo create NAME` creates them, and
-- whoami-v2 and profiles never list it.
INSERT IGNORE INTO namespace (kind, name, fullname)
  VALUES ('org', '', 'Canonical repositories');
