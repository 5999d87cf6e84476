-- +goose Up
-- Referral codes issued to promoters. code is the random body of the code
-- ("7NH87-P5U6S"), unique, so a code typed without its prefix, or printed
-- before the business changed its prefix, still matches; prefix is kept to
-- show it whole. The terms it was issued under (uses, valid_days,
-- expires_at, offer) are copied in, so changing the programme does not
-- shrink codes already handed out. uses = 0 means no limit (a link).
CREATE TABLE referral_codes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    promoter_id BIGINT NOT NULL REFERENCES customers (id),
    code        TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('coupon', 'link')),
    uses        INTEGER NOT NULL,
    used        INTEGER NOT NULL DEFAULT 0,
    valid_days  INTEGER NOT NULL DEFAULT 0,
    expires_at  TIMESTAMPTZ,
    offer       TEXT NOT NULL DEFAULT '',
    issued_at   TIMESTAMPTZ NOT NULL,
    issued_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX referral_codes_promoter ON referral_codes (promoter_id, kind, id);
-- One personal link per promoter, however many replicas issue at once.
CREATE UNIQUE INDEX referral_codes_link ON referral_codes (promoter_id) WHERE kind = 'link';

-- A new customer attributed to a promoter. customer_id is unique: a
-- customer is referred once, by the first code that counted.
CREATE TABLE referrals (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id BIGINT NOT NULL UNIQUE REFERENCES customers (id),
    promoter_id BIGINT NOT NULL REFERENCES customers (id),
    code_id     BIGINT NOT NULL REFERENCES referral_codes (id),
    redeemed_at TIMESTAMPTZ NOT NULL,
    redeemed_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX referrals_promoter ON referrals (promoter_id, redeemed_at);
CREATE INDEX referrals_redeemed ON referrals (redeemed_at);

-- +goose Down
DROP TABLE referrals;
DROP TABLE referral_codes;
