package demo

import (
	"math/rand/v2"
	"strings"
)

// Comments are built from templates so that they read naturally and do not
// repeat verbatim. A template may hold:
//
//	{m} {m_dat} {m_ins}  the manager's first name (nominative, dative, instrumental)
//	{credit}             the customer's loan, in the accusative («ипотеку»)
//	{wait} {sum} {rate}  a random delay, overcharge or rate difference
//	<он|она>             a word agreeing with the manager's gender
//	[я|я|мы]             a word agreeing with the respondent: a man, a woman, a company
//
// English templates use {m} and {wait} only.

// Respondents: a man, a woman, or a company speaking as «мы».
const (
	respMale = iota
	respFemale
	respCompany
)

type voice struct {
	mgr  *staff
	resp int
	seg  string
	en   bool
}

var creditAcc = map[string]string{
	segMortgage: "ипотеку", segAuto: "автокредит", segBusiness: "кредит для бизнеса", segRefinance: "рефинансирование",
}

var (
	waitsRU = []string{"три недели", "две недели", "почти месяц", "больше месяца", "десять дней", "полторы недели"}
	waitsEN = []string{"three weeks", "two weeks", "almost a month", "over a month", "ten days"}
	sumsRU  = []string{"на 15 тысяч", "на 20 тысяч", "почти на 40 тысяч", "на 12 тысяч", "в полтора раза", "почти вдвое"}
	ratesRU = []string{"на полпроцента", "на целый процент", "на 0,8 п. п.", "на 1,5 процента", "на 0,3 процента"}
	daysRU  = []string{"на несколько дней", "на неделю", "на три дня", "после первой встречи"}
)

func (v voice) fill(r *rand.Rand, key string) string {
	switch key {
	case "m":
		if v.en {
			return v.mgr.latin()
		}
		return v.mgr.first
	case "m_dat":
		return v.mgr.dat
	case "m_ins":
		return v.mgr.ins
	case "credit":
		return creditAcc[v.seg]
	case "wait":
		if v.en {
			return one(r, waitsEN)
		}
		return one(r, waitsRU)
	case "sum":
		return one(r, sumsRU)
	case "rate":
		return one(r, ratesRU)
	case "days":
		return one(r, daysRU)
	}
	panic("demo: unknown template key " + key)
}

// render expands one template.
func (v voice) render(r *rand.Rand, tpl string) string {
	var b strings.Builder
	for i := 0; i < len(tpl); {
		c := tpl[i]
		var end byte
		switch c {
		case '{':
			end = '}'
		case '<':
			end = '>'
		case '[':
			end = ']'
		default:
			b.WriteByte(c)
			i++
			continue
		}
		j := strings.IndexByte(tpl[i:], end)
		if j < 0 {
			panic("demo: unclosed " + string(c) + " in template " + tpl)
		}
		inner := tpl[i+1 : i+j]
		i += j + 1
		switch c {
		case '{':
			b.WriteString(v.fill(r, inner))
		case '<':
			alt := strings.Split(inner, "|")
			if v.mgr.female {
				b.WriteString(alt[1])
			} else {
				b.WriteString(alt[0])
			}
		case '[':
			alt := strings.Split(inner, "|")
			b.WriteString(alt[v.resp])
		}
	}
	return b.String()
}

// compose joins an optional opener, a core and an optional closer into one
// comment, with a little variation in punctuation.
func (v voice) compose(r *rand.Rand, openers, cores, closers []string, pOpen, pClose float64) string {
	s := v.render(r, one(r, cores))
	if chance(r, pOpen) {
		s = v.render(r, one(r, openers)) + " " + s
	}
	if chance(r, pClose) {
		s += " " + v.render(r, one(r, closers))
	}
	switch x := r.Float64(); {
	case x < 0.08 && strings.HasSuffix(s, "!"):
		s = strings.TrimSuffix(s, "!") + "."
	case x < 0.14 && strings.HasSuffix(s, "."):
		s = strings.TrimSuffix(s, ".") // people often leave the full stop out
	case x < 0.18 && strings.HasSuffix(s, "!"):
		s += "!"
	}
	return s
}

// Promoters (9–10), naming their manager.
var promoterManagerRU = []string{
	"{m} всё <объяснил|объяснила> и <помог|помогла> с банком, спасибо!",
	"Спасибо {m_dat} за терпение — [я задавал|я задавала|мы задавали] миллион вопросов, и на каждый был ответ.",
	"{m} <нашёл|нашла> программу со ставкой ниже, чем [мне|мне|нам] предлагали в банке напрямую.",
	"Работать с {m_ins} — одно удовольствие: быстро, чётко, без лишних поездок в офис.",
	"{m} на связи даже вечером, все документы <собрал|собрала> за [меня|меня|нас].",
	"Отдельное спасибо {m_dat}: одобрили {credit} с первого раза.",
	"{m} — настоящий профессионал, буду рекомендовать друзьям.",
	"{m} <подсказал|подсказала>, какие справки нужны, и <проверил|проверила> всё до подачи — ни одного отказа.",
	"Очень [благодарен|благодарна|благодарны] {m_dat} — без <него|неё> [не справился бы|не справилась бы|не справились бы].",
	"{m} <держал|держала> в курсе на каждом этапе, ни разу не пришлось звонить [самому|самой|самим].",
	"{m} <договорился|договорилась> с банком о снижении ставки, о таком [я даже не думал|я даже не думала|мы даже не думали].",
	"Спасибо {m_dat}! Всё чётко, по срокам, без сюрпризов.",
	"{m} <разобрался|разобралась> в нашей непростой ситуации и <нашёл|нашла> банк, который одобрил {credit}.",
	"С {m_ins} спокойно: всегда знаешь, что происходит с заявкой.",
}

// Promoters without a name.
var promoterRU = []string{
	"Одобрили {credit} быстрее, чем [я ожидал|я ожидала|мы ожидали].",
	"Всё прозрачно: условия и комиссию назвали сразу, сюрпризов не было.",
	"Ставка получилась ниже, чем в банке напрямую.",
	"Сэкономили кучу времени — не пришлось ходить по банкам.",
	"Быстро, удобно, почти всё онлайн.",
	"Помогли даже с непростой кредитной историей, спасибо!",
	"Уже второй раз [обращаюсь|обращаюсь|обращаемся] — и снова всё отлично.",
	"Подали заявки сразу в несколько банков и выбрали лучшее предложение.",
	"Сделку провели за две недели, всё по плану.",
	"Вежливо, понятно и по делу.",
	"Оформили {credit} без единого визита в банк.",
}

var promoterOpenRU = []string{"Всё отлично!", "[Очень доволен|Очень довольна|Очень довольны]!", "Спасибо!",
	"Рекомендую.", "Лучший брокер, с которым [я работал|я работала|мы работали].", "Супер!"}

var promoterCloseRU = []string{"Рекомендую!", "Буду советовать знакомым.", "Спасибо!",
	"Обязательно [обращусь|обращусь|обратимся] ещё.", "10 из 10.", "Так держать!"}

// Passives (7–8): mixed.
var passiveRU = []string{
	"В целом нормально, но ждать одобрения пришлось дольше, чем обещали.",
	"{m} <помог|помогла>, но иногда долго <отвечал|отвечала> в мессенджере.",
	"Условия хорошие, а вот с документами была путаница.",
	"Всё получилось, но комиссия могла бы быть поменьше.",
	"Неплохо, хотя ставку в итоге дали чуть выше, чем на консультации.",
	"Результатом [доволен|довольна|довольны], процессом — не очень: много раз переспрашивали одно и то же.",
	"Нормально. Хотелось бы видеть статус заявки онлайн, а не звонить.",
	"Хорошо, но пришлось [самому|самой|самим] напоминать о себе.",
	"{m} знает своё дело, но на связь <выходил|выходила> не всегда.",
	"Всё сделали, но без особого энтузиазма.",
	"{credit} одобрили, но сроки сдвигались дважды.",
	"Выбор банков оказался меньше, чем [я рассчитывал|я рассчитывала|мы рассчитывали].",
	"Сервис хороший, цена услуги высоковата.",
}

var passiveCloseRU = []string{"В целом спасибо.", "Есть куда расти.", "Но результат есть.", "Посмотрим, как дальше."}

// Detractors (0–6), by what went wrong.
var (
	delayRU = []string{
		"[Ждал|Ждала|Ждали] одобрения {wait}, никто не перезвонил.",
		"Обещали перезвонить на следующий день, в итоге [я сам звонил|я сама звонила|мы сами звонили] три раза.",
		"Сроки сорвали: банк чуть не отозвал решение, пока собирали документы.",
		"{m} <пропадал|пропадала> {days}, на сообщения не <отвечал|отвечала>.",
		"Заявку подали только через неделю после того, как [я отдал|я отдала|мы отдали] все документы.",
		"Сделку переносили дважды, объяснений не было.",
		"[Ждал|Ждала|Ждали] ответа {wait}, а потом выяснилось, что заявку даже не отправили.",
		"Пока брокер тянул время, ставки в банках выросли.",
	}
	feeRU = []string{
		"Комиссия оказалась выше, чем говорили.",
		"Комиссия оказалась {sum} больше, чем называли на консультации.",
		"В договоре появилась страховка, о которой не предупредили.",
		"Ставка в итоге выше {rate}, чем обещали на консультации.",
		"Заплатили комиссию, а одобрили только в том банке, куда можно было подать и без брокера.",
		"Навязали дополнительные услуги, которые не были нужны.",
		"Итоговая переплата оказалась больше, чем в расчёте, который [мне|мне|нам] показали.",
	}
	qualityRU = []string{
		"Менеджер путался в документах, пришлось несколько раз пересылать справки.",
		"{m} не <смог|смогла> объяснить, за что [я плачу|я плачу|мы платим].",
		"Дважды потеряли [мои|мои|наши] документы.",
		"Получили отказ из-за ошибки в анкете, которую заполнял брокер.",
		"Консультации противоречили друг другу: сегодня говорят одно, завтра другое.",
		"{m} плохо <разбирался|разбиралась> в условиях банков, [я сам знал|я сама знала|мы сами знали] больше.",
	}
	detractorOpenRU = []string{"[Разочарован|Разочарована|Разочарованы].", "Не рекомендую.", "Неприятный опыт.",
		"Плохо.", "Ожидал[|а|и] большего."}
	detractorCloseRU = []string{"Больше не [обращусь|обращусь|обратимся].", "Очень неприятно.",
		"Жаль потраченного времени.", "Надеюсь, исправитесь.", "Деньги немалые, хотелось бы честности."}
)

// English comments, for customers whose locale is en.
var (
	promoterEN = []string{
		"{m} explained everything and helped with the bank, thanks!",
		"{m} found a better rate than my own bank offered.",
		"Quick and clear, almost everything done online.",
		"Great service, I would recommend it to friends.",
		"{m} was always available and kept me updated. Thank you!",
		"Approved on the first try, very smooth.",
	}
	passiveEN = []string{
		"Good result, but it took longer than promised.",
		"Fine overall, the fee could be lower.",
		"{m} was helpful, though not always quick to reply.",
		"OK, but I had to send the same documents twice.",
	}
	detractorEN = []string{
		"Waited {wait} for approval, nobody called back.",
		"The fee turned out higher than quoted.",
		"My documents were lost twice.",
		"The rate was higher than promised at the consultation.",
	}
)

// CSAT (support) and CES (application) comments.
var (
	csatHighRU = []string{"Ответили быстро и по делу.", "Вопрос решили за один звонок.",
		"Вежливо и понятно объяснили, что делать дальше.", "Быстро прислали справку для банка.",
		"Оператор сразу понял, в чём дело.", "Перезвонили в течение получаса, приятно.",
		"В чате ответили за пару минут.", "Помогли перенести платёж, всё чётко.",
		"Объяснили график платежей лучше, чем в банке.", "Сразу сказали, сколько ждать, и уложились."}
	csatMidRU = []string{"Вопрос решили, но со второго раза.", "[Ждал|Ждала|Ждали] ответа в чате почти час.",
		"Помогли, но пришлось объяснять ситуацию несколько раз.", "Ответ правильный, но очень сухой.",
		"Решили, но только после напоминания."}
	csatLowRU = []string{"Никто так и не ответил на вопрос.", "Переключали между сотрудниками, в итоге ничего не решили.",
		"Ответ пришёл только через два дня.", "Обещали перезвонить и не перезвонили.",
		"Отправили шаблонный ответ, который не про [мой|мой|наш] вопрос."}
	csatHighOpenRU  = []string{"Спасибо!", "Всё хорошо.", "Отлично.", "Быстро и вежливо."}
	csatHighCloseRU = []string{"Спасибо!", "Так держать.", "[Приятно удивлён|Приятно удивлена|Приятно удивлены]."}
	csatLowCloseRU  = []string{"Неприятно.", "Ожидал[|а|и] большего.", "Сервис должен быть лучше."}
	csatHighEN      = []string{"Quick and helpful answer.", "Solved in one call, thanks.", "Polite and clear, thank you."}
	csatLowEN       = []string{"Had to explain the problem several times.", "Nobody got back to me."}

	cesHighRU = []string{"Всё онлайн, документы [загрузил|загрузила|загрузили] за десять минут.",
		"Заявку подали сразу в несколько банков, очень удобно.", "Анкета простая, с полями помогли.",
		"Подписали всё электронно, без поездок.", "Список документов прислали сразу, ничего не пришлось досылать.",
		"Справки забрали прямо из Госуслуг, очень удобно.", "Заняло меньше получаса."}
	cesMidRU = []string{"Анкета длинная, но разобраться можно.", "Пришлось несколько раз досылать справки.",
		"Не сразу понятно, какие документы нужны.", "Часть документов пришлось везти в офис."}
	cesLowRU = []string{"Требовали одни и те же документы по три раза.", "Пришлось ехать в офис ради одной подписи.",
		"Сайт зависал при загрузке документов.", "Список документов меняли на ходу.",
		"Анкета на сорок полей, половина повторяет друг друга."}
	cesHighCloseRU = []string{"Удобно!", "Спасибо.", "Так бы везде."}
	cesLowCloseRU  = []string{"Упростите, пожалуйста.", "Много лишнего.", "Потратил[|а|и] полдня."}
	cesHighEN      = []string{"Easy to apply online.", "Uploading documents took ten minutes."}
	cesLowEN       = []string{"Too many documents, requested again and again."}
)

// npsComment writes a comment for an NPS score. weakest names the driver the
// customer rated lowest ("speed", "quality" or "terms").
func (v voice) npsComment(r *rand.Rand, score int, weakest string) string {
	if v.en {
		switch {
		case score >= 9:
			return v.render(r, one(r, promoterEN))
		case score >= 7:
			return v.render(r, one(r, passiveEN))
		}
		return v.render(r, one(r, detractorEN))
	}
	switch {
	case score >= 9:
		if chance(r, 0.6) {
			return v.compose(r, promoterOpenRU, promoterManagerRU, promoterCloseRU, 0.2, 0.25)
		}
		return v.compose(r, promoterOpenRU, promoterRU, promoterCloseRU, 0.3, 0.3)
	case score >= 7:
		return v.compose(r, nil, passiveRU, passiveCloseRU, 0, 0.25)
	}
	cores := map[string][]string{"speed": delayRU, "terms": feeRU, "quality": qualityRU}[weakest]
	s := v.compose(r, detractorOpenRU, cores, detractorCloseRU, 0.25, 0.3)
	if chance(r, 0.2) { // a second grievance
		other := one(r, [][]string{delayRU, feeRU, qualityRU})
		s = strings.TrimSuffix(s, ".") + ". " + v.render(r, one(r, other))
	}
	return s
}

func (v voice) csatComment(r *rand.Rand, score int) string {
	switch {
	case v.en && score >= 4:
		return one(r, csatHighEN)
	case v.en:
		return one(r, csatLowEN)
	case score >= 4:
		return v.compose(r, csatHighOpenRU, csatHighRU, csatHighCloseRU, 0.25, 0.25)
	case score == 3:
		return v.compose(r, nil, csatMidRU, nil, 0, 0)
	}
	return v.compose(r, nil, csatLowRU, csatLowCloseRU, 0, 0.35)
}

func (v voice) cesComment(r *rand.Rand, score int) string {
	switch {
	case v.en && score >= 5:
		return one(r, cesHighEN)
	case v.en:
		return one(r, cesLowEN)
	case score >= 6:
		return v.compose(r, nil, cesHighRU, cesHighCloseRU, 0, 0.3)
	case score >= 4:
		return v.compose(r, nil, cesMidRU, nil, 0, 0)
	}
	return v.compose(r, nil, cesLowRU, cesLowCloseRU, 0, 0.35)
}
