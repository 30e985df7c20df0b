-- Site admins: users whose write tokens the admin API takes, from the
-- admin_allow addresses, beside [server] admin_token (api_admin.c). Set
-- with `khubctl user admin NAME on|off` or the admin API itself.
ALTER TABLE namespace ADD COLUMN IF NOT EXISTS site_admin TINYINT(1) NOT NULL DEFAULT 0;
