-- +goose Up
-- A user's Telegram chat, linked by the bot's deep link: case notifications
-- go there too.
ALTER TABLE users ADD COLUMN telegram_chat_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN telegram_chat_id;
