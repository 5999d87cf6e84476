// Package analysis turns stored answers into the explanations people act
// on, shared by the API and the pages: which driver questions move the
// score (Johnson's relative weights) and how each manager is rated.
package analysis

import (
	"math"
	"sort"

	"otklik"
	"otklik/internal/metric"
	"otklik/internal/store"
)

// Driver is one driver question's analysis.
type Driver struct {
	Key            string      `json:"key"`
	Text           otklik.Text `json:"text"`
	N              int         `json:"n"`
	Mean           float64     `json:"mean"`
	MeanPromoters  *float64    `json:"mean_promoters"`
	MeanPassives   *float64    `json:"mean_passives"`
	MeanDetractors *float64    `json:"mean_detractors"`
	Weight         float64     `json:"weight"`     // raw relative weight: its part of R²
	Importance     float64     `json:"importance"` // share of the explained variance, 0–1
}

// DriverGroup is the driver ratings of one manager or team.
type DriverGroup struct {
	Key     string   `json:"key"`
	N       int      `json:"n"`
	Drivers []Driver `json:"drivers"`
}

// Drivers is the analysis of a survey's driver questions.
type Drivers struct {
	Survey  string        `json:"survey"`
	Method  string        `json:"method"`
	N       int           `json:"n"`  // answers rating every driver, used for the weights
	R2      float64       `json:"r2"` // how much of the score the drivers explain together
	Note    string        `json:"note,omitempty"`
	Drivers []Driver      `json:"drivers"`
	GroupBy string        `json:"group_by,omitempty"`
	Groups  []DriverGroup `json:"groups,omitempty"`
}

// AnalyseDrivers computes each driver's means and importance from rows, and
// with groupBy "manager" or "team" the means per group.
func AnalyseDrivers(sv *otklik.Survey, rows []store.DriverRow, groupBy string) Drivers {
	out := Drivers{Survey: sv.Key, Method: metric.RelativeWeightsMethod, Drivers: means(sv, rows)}
	obs := make([]metric.DriverObs, len(rows))
	for i, row := range rows {
		obs[i] = metric.DriverObs{Score: float64(row.Score), Drivers: make([]float64, len(sv.Drivers))}
		for j, d := range sv.Drivers {
			obs[i].Drivers[j] = math.NaN()
			if v, ok := row.Answers[d.Key]; ok {
				obs[i].Drivers[j] = float64(v)
			}
		}
	}
	if len(sv.Drivers) > 0 {
		rw, err := metric.RelativeWeights(obs, len(sv.Drivers))
		out.N, out.R2 = rw.N, rw.R2
		if err != nil {
			out.Note = err.Error()
		}
		for j := range out.Drivers {
			if j < len(rw.Weights) {
				out.Drivers[j].Weight, out.Drivers[j].Importance = rw.Weights[j], rw.Shares[j]
			}
		}
	}
	if groupBy == "" {
		return out
	}
	out.GroupBy = groupBy
	byKey := map[string][]store.DriverRow{}
	for _, row := range rows {
		k := row.Manager
		if groupBy == "team" {
			k = row.Team
		}
		byKey[k] = append(byKey[k], row)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.Groups = append(out.Groups, DriverGroup{Key: k, N: len(byKey[k]), Drivers: means(sv, byKey[k])})
	}
	return out
}

// means averages each driver's ratings, overall and, for NPS surveys, among
// promoters, passives and detractors: where the unhappy rate lower.
func means(sv *otklik.Survey, rows []store.DriverRow) []Driver {
	out := make([]Driver, len(sv.Drivers))
	for j, d := range sv.Drivers {
		var sum, n [4]float64 // all, promoters, passives, detractors
		for _, row := range rows {
			v, ok := row.Answers[d.Key]
			if !ok {
				continue
			}
			g := 3
			switch {
			case row.Score >= 9:
				g = 1
			case row.Score >= 7:
				g = 2
			}
			sum[0], n[0] = sum[0]+float64(v), n[0]+1
			sum[g], n[g] = sum[g]+float64(v), n[g]+1
		}
		out[j] = Driver{Key: d.Key, Text: d.Text, N: int(n[0])}
		if n[0] > 0 {
			out[j].Mean = sum[0] / n[0]
		}
		if sv.Kind == otklik.KindNPS {
			mean := func(g int) *float64 {
				if n[g] == 0 {
					return nil
				}
				m := sum[g] / n[g]
				return &m
			}
			out[j].MeanPromoters, out[j].MeanPassives, out[j].MeanDetractors = mean(1), mean(2), mean(3)
		}
	}
	return out
}
