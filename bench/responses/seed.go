package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/auth"
)

// seeded is what the load needs from the seeded database.
type seeded struct {
	token     string
	survey    *otklik.Survey
	managers  []string
	customers []*otklik.Customer
}

var (
	teams    = []string{"Север", "Юг", "Восток", "Запад"}
	segments = []string{"smb", "mid-market", "enterprise"}
	services = []string{"seo", "context-ads", "smm", "web-dev", "analytics", "crm-setup"}
	regions  = []string{"Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург", "Алматы"}
)

const managersPerTeam = 5

// seedData creates the administrator and its API token, managers in teams,
// one NPS survey and the customers, with a fixed random seed so that every
// run sees the same data.
func seedData(ctx context.Context, a *app.App, customers int) (*seeded, error) {
	rng := rand.New(rand.NewPCG(2026, 3))
	s := &seeded{}

	if err := a.Bootstrap(ctx, io.Discard); err != nil { // the first administrator, as `otklik serve` creates it
		return nil, err
	}
	admin, err := a.DB.UserByEmail(ctx, a.Config.AdminEmail)
	if err != nil {
		return nil, err
	}
	token, prefix, hash := auth.NewToken()
	if _, err := a.DB.CreateToken(ctx, admin.ID, "load benchmark", prefix, hash); err != nil {
		return nil, err
	}
	s.token = token

	managerTeam := map[string]string{}
	for t, team := range teams {
		for i := range managersPerTeam {
			email := fmt.Sprintf("manager%02d@otklik.local", t*managersPerTeam+i+1)
			u := &otklik.User{Email: email, Name: fmt.Sprintf("Менеджер %d", t*managersPerTeam+i+1), Role: otklik.RoleManager, Team: team}
			if err := a.DB.CreateUser(ctx, u); err != nil {
				return nil, err
			}
			s.managers = append(s.managers, email)
			managerTeam[email] = team
		}
	}

	s.survey = &otklik.Survey{
		Key:   "nps-bench",
		Kind:  otklik.KindNPS,
		Title: otklik.Text{RU: "Оценка сотрудничества", EN: "How we work together"},
		ScoreQuestion: otklik.Text{
			RU: "Насколько вероятно, что вы порекомендуете нас коллеге или другу?",
			EN: "How likely are you to recommend us to a friend or colleague?",
		},
		WhyQuestion: otklik.Text{RU: "Почему вы поставили такую оценку?", EN: "What is the main reason for your score?"},
		Drivers: []otklik.Driver{
			{Key: "manager_speed", Text: otklik.Text{RU: "Скорость ответа менеджера", EN: "How fast your manager answers"}},
			{Key: "manager_quality", Text: otklik.Text{RU: "Качество работы менеджера", EN: "Your manager's work"}},
			{Key: "deliverables", Text: otklik.Text{RU: "Результаты работ", EN: "What we deliver"}},
		},
	}
	if err := a.DB.CreateSurvey(ctx, s.survey); err != nil {
		return nil, err
	}

	admScope, err := admin.Actor().Scope(otklik.WriteCustomers)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	inputs := make([]otklik.Customer, customers)
	for i := range inputs {
		manager := s.managers[rng.IntN(len(s.managers))]
		revenue := otklik.Amount((30_000 + rng.IntN(2_000_000)) * 100)
		started := otklik.Date{Time: time.Date(2018+rng.IntN(8), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)}
		locale := "ru"
		if rng.IntN(5) == 0 {
			locale = "en"
		}
		svc := []string{}
		for _, k := range rng.Perm(len(services))[:1+rng.IntN(3)] {
			svc = append(svc, services[k])
		}
		inputs[i] = otklik.Customer{
			Name:      fmt.Sprintf("Клиент %d", i+1),
			Company:   fmt.Sprintf("ООО «Компания %d»", i+1),
			Email:     fmt.Sprintf("client%04d@example.com", i+1),
			Phone:     fmt.Sprintf("+7 900 %03d-%02d-%02d", i%1000, i%97, i%89),
			Locale:    locale,
			Segment:   segments[rng.IntN(len(segments))],
			Services:  svc,
			Revenue:   &revenue,
			StartedAt: &started,
			Manager:   manager,
			Team:      managerTeam[manager],
			Region:    regions[rng.IntN(len(regions))],
			Consent: map[otklik.Channel]otklik.Consent{
				otklik.ChannelEmail: {Granted: true, At: now, Source: "benchmark seed"},
			},
		}
	}
	s.customers = make([]*otklik.Customer, customers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				in := inputs[i]
				c, _, err := a.DB.UpsertCustomer(ctx, admScope, fmt.Sprintf("cust-%05d", i+1), func(c *otklik.Customer) {
					id, created, updated := c.ID, c.CreatedAt, c.UpdatedAt
					*c = in
					c.ID, c.CreatedAt, c.UpdatedAt = id, created, updated
				})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				s.customers[i] = c
				mu.Unlock()
			}
		})
	}
	for i := range customers {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return s, nil
}
