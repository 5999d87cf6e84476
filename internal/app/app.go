// Package app assembles Otklik from its parts: it opens and migrates the
// database, creates the first administrator, and serves the API, the health
// checks and the Prometheus metrics on one HTTP handler. cmd/otklik and the
// load benchmarks start it the same way.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"

	"otklik"
	"otklik/internal/api"
	"otklik/internal/auth"
	"otklik/internal/casework"
	"otklik/internal/channel/email"
	"otklik/internal/channel/telegram"
	"otklik/internal/cube"
	"otklik/internal/dispatch"
	"otklik/internal/intake"
	"otklik/internal/jobs"
	"otklik/internal/locale"
	"otklik/internal/referrals"
	"otklik/internal/store"
	"otklik/internal/surveylink"
	"otklik/internal/web"
)

// Config is Otklik's configuration, from OTKLIK_* variables and flags.
type Config struct {
	DatabaseURL string `env:"OTKLIK_DATABASE_URL"` // postgres://…; empty means SQLite
	DB          string `env:"OTKLIK_DB" envDefault:"./otklik.db"`
	Addr        string `env:"OTKLIK_ADDR" envDefault:":8080"`
	BaseURL     string `env:"OTKLIK_BASE_URL" envDefault:"http://localhost:8080"`
	TimeZone    string `env:"OTKLIK_TIMEZONE" envDefault:"Europe/Moscow"`
	AdminEmail  string `env:"OTKLIK_ADMIN_EMAIL" envDefault:"admin@otklik.local"`
	Business    string `env:"OTKLIK_BUSINESS_NAME" envDefault:"Otklik"`
	LogoURL     string `env:"OTKLIK_LOGO_URL"` // an https:// or same-site image shown on survey pages
	// LinkKey signs survey links; empty means a key generated on the first
	// start and kept in the database, shared by every replica.
	LinkKey string        `env:"OTKLIK_LINK_KEY"`
	LinkTTL time.Duration `env:"OTKLIK_LINK_TTL" envDefault:"720h"`
	// Industry picks the NPS benchmark the business compares itself with.
	Industry string `env:"OTKLIK_INDUSTRY" envDefault:"credit_brokerage"`
	// SMTPURL is smtp://user:pass@host:port (STARTTLS when offered); empty
	// means no e-mail: cases are still opened, nobody is mailed.
	SMTPURL  string `env:"OTKLIK_SMTP_URL"`
	MailFrom string `env:"OTKLIK_MAIL_FROM"`
	// TelegramToken is the bot's token from @BotFather; empty means no
	// Telegram channel. TelegramAPIURL points elsewhere than
	// api.telegram.org (a local Bot API server, tests). With
	// TelegramWebhookSecret set the bot takes updates at
	// POST /telegram/webhook (the secret in X-Telegram-Bot-Api-Secret-Token);
	// without it one replica at a time long-polls.
	TelegramToken         string `env:"OTKLIK_TELEGRAM_TOKEN"`
	TelegramAPIURL        string `env:"OTKLIK_TELEGRAM_API_URL"`
	TelegramBot           string `env:"OTKLIK_TELEGRAM_BOT"` // the bot's user name, for t.me links
	TelegramWebhookSecret string `env:"OTKLIK_TELEGRAM_WEBHOOK_SECRET"`
	// RetryDelay overrides the wait between retries of a failed send (tests).
	RetryDelay func(attempt int) time.Duration `env:"-"`
}

// App is a running Otklik.
type App struct {
	Config   Config
	DB       *store.DB
	Intake   *intake.Service
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	Catalog  *locale.Catalog
	LinkKey  []byte
	// Analytics is the in-memory index of every answer, loaded at start.
	Analytics *cube.Live
	// Jobs is the background queue (River) on the same database.
	Jobs *jobs.Jobs
	// Cases is the closed loop: cases opened from answers, notifications.
	Cases *casework.Engine
	// Outreach plans and sends invitations.
	Outreach *dispatch.Engine
	// Referrals is the promoters' referral programme.
	Referrals *referrals.Engine
	mail      *email.Sender
	registry  *prometheus.Registry
}

// Open connects to the configured database and migrates it.
func Open(ctx context.Context, cfg Config, now func() time.Time, log *slog.Logger) (*App, error) {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	if cfg.Industry == "" {
		cfg.Industry = "credit_brokerage"
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("app: time zone %q: %w", cfg.TimeZone, err)
	}
	db, err := store.Open(ctx, store.Config{URL: cfg.DatabaseURL, Path: cfg.DB, Now: now})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	cat, err := locale.New()
	if err != nil {
		db.Close()
		return nil, err
	}
	key := cfg.LinkKey
	if key == "" {
		if key, err = db.Setting(ctx, "survey_link_key", randomKey); err != nil {
			db.Close()
			return nil, err
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a := &App{Config: cfg, DB: db, Intake: intake.New(db, now, loc), Location: loc, Now: now, Log: log,
		Catalog: cat, LinkKey: []byte(key), registry: reg}
	if err := a.loadAnalytics(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.openBackground(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// openBackground sets up e-mail, the closed loop and the job queue that
// carries their work. Nothing runs until Start.
func (a *App) openBackground(ctx context.Context) error {
	var mailer casework.Mailer
	if a.Config.SMTPURL != "" {
		if a.Config.MailFrom == "" {
			return fmt.Errorf("app: OTKLIK_SMTP_URL is set but OTKLIK_MAIL_FROM is empty")
		}
		m, err := email.New(email.Config{URL: a.Config.SMTPURL, From: a.Config.MailFrom})
		if err != nil {
			return fmt.Errorf("app: e-mail: %w", err)
		}
		a.mail, mailer = m, m
	}
	var bot *telegram.Client
	if a.Config.TelegramToken != "" {
		bot = telegram.New(a.Config.TelegramToken, a.Config.TelegramAPIURL, nil)
	}
	a.Outreach = dispatch.New(dispatch.Config{DB: a.DB, Intake: a.Intake, Now: a.Now, Log: a.Log, Catalog: a.Catalog,
		Links: surveylink.NewSigner(a.LinkKey), LinkTTL: a.Config.LinkTTL, BaseURL: a.Config.BaseURL,
		Business: a.Config.Business, Mail: mailer, Telegram: bot, BotName: a.Config.TelegramBot,
		TelegramKey: derivedKey(a.LinkKey, "telegram"), RetryDelay: a.Config.RetryDelay})
	if err := a.Outreach.Seed(ctx); err != nil {
		return fmt.Errorf("app: outreach defaults: %w", err)
	}
	a.Referrals = referrals.New(referrals.Config{DB: a.DB, Now: a.Now, Location: a.Location, LinkKey: a.LinkKey,
		BaseURL: a.Config.BaseURL})
	cc := casework.Config{DB: a.DB, Now: a.Now, Log: a.Log, Catalog: a.Catalog, Mail: mailer,
		BaseURL: a.Config.BaseURL, Resolved: a.Outreach.Resurvey, Event: a.Outreach.EmitCase}
	if bot != nil {
		cc.Telegram, cc.TelegramPermanent = botMessenger{bot}, telegram.IsPermanent
	}
	a.Cases = casework.New(cc)
	workers := river.NewWorkers()
	a.Cases.Register(workers)
	a.Outreach.Register(workers)
	j, err := jobs.Open(ctx, jobs.Config{DatabaseURL: a.Config.DatabaseURL, SQLitePath: a.Config.DB, Logger: a.Log,
		Workers: workers, Periodic: append(a.Cases.Periodic(), a.Outreach.Periodic()...)})
	if err != nil {
		if a.mail != nil {
			a.mail.Close()
		}
		return err
	}
	a.Jobs = j
	a.Cases.UseJobs(j)
	a.Outreach.UseJobs(j)
	return nil
}

// botMessenger sends case notifications through the Telegram bot.
type botMessenger struct{ bot *telegram.Client }

func (m botMessenger) Send(ctx context.Context, chat int64, text string) error {
	_, err := m.bot.SendMessage(ctx, chat, text, telegram.SendOptions{})
	return err
}

// derivedKey derives a key for one purpose from the installation's link
// key, so each signature (survey links, Telegram buttons) has its own.
func derivedKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("otklik-key:" + purpose))
	return m.Sum(nil)
}

// Start runs the background work until ctx ends: the job queue (and its
// leader election), the analytics index catching up with other replicas,
// and the closed loop's scan for new answers.
func (a *App) Start(ctx context.Context) error {
	if err := a.Jobs.Start(ctx); err != nil {
		return err
	}
	// Answers written by other replicas reach this one's figures within seconds.
	go a.Analytics.Cube().Run(ctx, a.DB, 2*time.Second, a.Log)
	go a.Cases.Run(ctx)
	go a.Outreach.Run(ctx)
	if a.Config.TelegramToken != "" && a.Config.TelegramWebhookSecret == "" {
		go a.Outreach.RunTelegram(ctx)
	}
	return nil
}

// loadAnalytics builds the in-memory index of every answer.
func (a *App) loadAnalytics(ctx context.Context) error {
	start := time.Now()
	c := cube.New(a.Location)
	if _, err := c.Sync(ctx, a.DB); err != nil {
		return fmt.Errorf("app: load analytics: %w", err)
	}
	a.Analytics = cube.NewLive(c, a.DB)
	if c.Len() > 0 {
		a.Log.Info("analytics index loaded", "answers", c.Len(), "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func randomKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Close stops the job queue and releases the database.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var errs []error
	if a.Jobs != nil {
		errs = append(errs, a.Jobs.Stop(ctx))
	}
	if a.mail != nil {
		errs = append(errs, a.mail.Close())
	}
	errs = append(errs, a.DB.Close())
	return errors.Join(errs...)
}

// Bootstrap creates the first administrator on an empty database and
// writes its one-time password to out. It does nothing when users exist.
func (a *App) Bootstrap(ctx context.Context, out io.Writer) error {
	n, err := a.DB.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	password := auth.GeneratePassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u := &otklik.User{Email: a.Config.AdminEmail, Name: "Administrator", Role: otklik.RoleAdmin, PasswordHash: hash}
	if err := a.DB.CreateUser(ctx, u); err != nil {
		if otklik.ErrorCode(err) == otklik.ECONFLICT {
			return nil // another replica created it first
		}
		return err
	}
	fmt.Fprintf(out, "First administrator: %s\nOne-time password:   %s\n(shown once; change it after signing in)\n", u.Email, password)
	return nil
}

// Handler returns every route Otklik serves.
func (a *App) Handler() (http.Handler, error) {
	links := surveylink.NewSigner(a.LinkKey)
	apiServer := api.New(api.Config{DB: a.DB, Intake: a.Intake, Now: a.Now, Location: a.Location, Logger: a.Log, Registry: a.registry,
		Links: links, BaseURL: a.Config.BaseURL, LinkTTL: a.Config.LinkTTL, Analytics: a.Analytics, Industry: a.Config.Industry,
		Cases: a.Cases, Outreach: a.Outreach, Catalog: a.Catalog, Referrals: a.Referrals})
	webServer, err := web.New(web.Config{DB: a.DB, Intake: a.Intake, Catalog: a.Catalog, Now: a.Now, Location: a.Location,
		BaseURL: a.Config.BaseURL, BusinessName: a.Config.Business, LogoURL: a.Config.LogoURL, Logger: a.Log, LinkKey: a.LinkKey, LinkTTL: a.Config.LinkTTL,
		CredentialsChanged: apiServer.ForgetTokens, Analytics: a.Analytics, Industry: a.Config.Industry, Cases: a.Cases,
		Outreach: a.Outreach, Referrals: a.Referrals})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", apiServer.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := a.DB.Ping(ctx); err != nil {
			a.Log.Warn("app: database not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unreachable\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{}))
	if a.Config.TelegramToken != "" && a.Config.TelegramWebhookSecret != "" {
		mux.Handle("POST /telegram/webhook", telegram.WebhookHandler(a.Config.TelegramWebhookSecret, a.Outreach.HandleUpdate, a.Log))
	}
	mux.Handle("/", webServer.Handler())
	return securityHeaders(mux), nil
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	h, err := a.Handler()
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
