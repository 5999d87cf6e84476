package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"otklik"
	"otklik/internal/exchange"
	"otklik/internal/transfer"
)

type transferData struct {
	Surveys []*otklik.Survey
	Report  *exchange.Report
	What    string
	Error   string
	Period  period
}

// maxUpload bounds an uploaded file.
const maxUpload = 32 << 20

func (s *Server) transferPage(w http.ResponseWriter, r *http.Request) {
	// The page exports answers and, for admins, imports: it is for those who
	// may read answers.
	if _, err := viewerOf(r).user.Actor().Scope(otklik.ReadResponses); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.renderTransfer(w, r, http.StatusOK, transferData{})
}

func (s *Server) renderTransfer(w http.ResponseWriter, r *http.Request, status int, d transferData) {
	var err error
	if d.Surveys, err = s.db.Surveys(r.Context()); err != nil {
		s.errorPage(w, r, err)
		return
	}
	d.Period = s.readPeriod(r.URL.Query())
	s.render(w, r, status, "transfer", page{Title: "transfer.import_title", Nav: "transfer", Data: d})
}

func (s *Server) importFile(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.ImportData); err != nil {
		s.errorPage(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	file, header, err := r.FormFile("file")
	if err != nil {
		s.renderTransfer(w, r, http.StatusUnprocessableEntity, transferData{Error: "error.invalid_form"})
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		s.renderTransfer(w, r, http.StatusRequestEntityTooLarge, transferData{Error: "error.invalid_form"})
		return
	}
	what := r.FormValue("what")
	f := transfer.DetectFormat(header.Filename, data[:min(len(data), 512)])
	opt := exchange.Options{Format: f, Partial: r.FormValue("partial") == "1", Now: s.cfg.Now(), Location: s.cfg.Location}
	var rep *exchange.Report
	if what == "responses" {
		rep, err = exchange.Responses(r.Context(), s.db, actor, bytes.NewReader(data), opt)
	} else {
		what = "customers"
		rep, err = exchange.Customers(r.Context(), s.db, actor, bytes.NewReader(data), opt)
	}
	if c := otklik.ErrorCode(err); c == otklik.EINVALID || c == otklik.ETOOLARGE {
		s.renderTransfer(w, r, http.StatusUnprocessableEntity, transferData{What: what, Error: otklik.ErrorMessage(err)})
		return
	} else if err != nil {
		s.errorPage(w, r, err)
		return
	}
	status := http.StatusOK
	if !rep.Written {
		status = http.StatusUnprocessableEntity
	}
	s.renderTransfer(w, r, status, transferData{What: what, Report: rep})
}

func (s *Server) exportFile(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.ReadResponses); err != nil {
		s.errorPage(w, r, err)
		return
	}
	q := r.URL.Query()
	p := s.readPeriod(q)
	f := transfer.Format(q.Get("format"))
	if p.Invalid || (f != transfer.FormatCSV && f != transfer.FormatXLSX) {
		s.renderTransfer(w, r, http.StatusUnprocessableEntity, transferData{Error: "error.invalid_form"})
		return
	}
	name := "otklik-answers-" + strings.ReplaceAll(p.From+"_"+p.To, "/", "-") + "." + string(f)
	ct := "text/csv; charset=utf-8"
	if f == transfer.FormatXLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	// Render to memory first, so a failure is a page and not half a file.
	var buf bytes.Buffer
	if _, err := exchange.ExportResponses(r.Context(), s.db, actor, &buf, f,
		exchange.Filter{Survey: q.Get("survey"), From: p.FromT, To: p.ToT}); err != nil {
		s.errorPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(buf.Bytes())
}
