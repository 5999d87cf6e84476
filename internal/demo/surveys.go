package demo

import "otklik"

// Survey keys of the demo.
const (
	SurveyNPS  = "nps"
	SurveyCSAT = "csat-support"
	SurveyCES  = "ces-application"
)

// Driver keys of the NPS survey.
const (
	driverSpeed   = "manager_speed"
	driverQuality = "manager_quality"
	driverTerms   = "terms"
)

func surveys() []*otklik.Survey {
	return []*otklik.Survey{
		{
			Key:  SurveyNPS,
			Kind: otklik.KindNPS,
			Title: otklik.Text{
				RU: "Готовность рекомендовать",
				EN: "Likelihood to recommend",
			},
			ScoreQuestion: otklik.Text{
				RU: "Насколько вероятно, что вы порекомендуете нас другу или партнёру?",
				EN: "How likely are you to recommend us to a friend or partner?",
			},
			WhyQuestion: otklik.Text{
				RU: "Почему вы поставили такую оценку?",
				EN: "What is the main reason for your score?",
			},
			Drivers: []otklik.Driver{
				{Key: driverSpeed, Text: otklik.Text{RU: "Скорость ответа менеджера", EN: "How quickly your manager responded"}},
				{Key: driverQuality, Text: otklik.Text{RU: "Компетентность менеджера", EN: "Your manager's expertise"}},
				{Key: driverTerms, Text: otklik.Text{RU: "Условия кредита", EN: "The loan terms we found for you"}},
			},
			ScorePosition: otklik.PositionFirst,
		},
		{
			Key:  SurveyCSAT,
			Kind: otklik.KindCSAT,
			Title: otklik.Text{
				RU: "Оценка поддержки",
				EN: "Support satisfaction",
			},
			ScoreQuestion: otklik.Text{
				RU: "Насколько вы довольны тем, как мы решили ваш вопрос?",
				EN: "How satisfied are you with how we handled your request?",
			},
			WhyQuestion: otklik.Text{
				RU: "Что мы могли бы сделать лучше?",
				EN: "What could we have done better?",
			},
			ScorePosition: otklik.PositionFirst,
		},
		{
			Key:  SurveyCES,
			Kind: otklik.KindCES,
			Title: otklik.Text{
				RU: "Лёгкость подачи заявки",
				EN: "Ease of applying",
			},
			ScoreQuestion: otklik.Text{
				RU: "Насколько легко вам было подать заявку на кредит через нас? (1 — очень трудно, 7 — очень легко)",
				EN: "How easy was it to apply for your loan through us? (1 — very hard, 7 — very easy)",
			},
			WhyQuestion: otklik.Text{
				RU: "Что было самым трудным?",
				EN: "What was the hardest part?",
			},
			ScorePosition: otklik.PositionFirst,
		},
	}
}
