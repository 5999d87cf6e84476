package text

import "strings"

// Word classes of the tokenizer.
const (
	classContent = iota // a word a theme can be made of
	classStop           // a function word, a number or a one-letter word: skipped inside a phrase
	classNegator        // a negation: glued to the next content word (see negators)
)

// russianStop are Russian function words: pronouns, prepositions,
// conjunctions, particles, auxiliary verbs, intensifiers and politeness
// formulas. They never start, end or form a theme but may sit inside a
// phrase's display form ("ответа от менеджера"). Written with е for ё, as
// the tokenizer reads them. The negations are listed here too and are
// taken out by negators before a word is looked up here.
const russianStop = `
а без более больше менее меньше бы был была были было быть в вам вас ведь весь во вот впрочем вроде все всегда всего всем всех
всю вся вы где да даже для до его ее ей ему если есть еще же за зачем здесь и из или им ими иногда их к
каждый как какая какие какой когда ко кого ком кому конечно которая которого которой котором которую которые который
которых кто куда ли либо между меня мне много может можно мой мою моя мы на над надо наконец нам нас наш наша наше
наши не него нее нельзя нет нету ни нибудь ним них ничего но ну о об обо один одна одно однако он она они оно опять
от очень перед по под пожалуйста пока после потом потому почему почти при про просто раз разве разу с сам сама сами
самый свое свои своя свой свою себе себя сейчас со совсем спасибо так также такая такие такой там тем теперь то тогда
тоже той только том тот ту тут ты у уже уж хоть чего чем через что чтоб чтобы чуть эта эти этим этих это этого этой
этом этот эту я здравствуйте вообще типа кстати например итак будет будут буду будем бывает сих пор ж моему моего моей моих нашего нашей нашу вашего вашей вашу ваше
ваши своего своей своих своим тебе нему ней нами вами никто ничто никого никому ничем нигде никак
никакой никакого никакие никакая никакую никаких никогда такое такого таким такую такими таких этому тому
`

// englishStop are English function words, contractions, intensifiers and
// politeness formulas, with the negations (see negators).
const englishStop = `
a about above after again against all also although am an and any are as at be because been before being below
between both but by can could did do does doing down during each either else etc even ever every few for from
further get got had has have having he her here hers herself him himself his how however i i'd i'll i'm i've if in
into is it it's its itself just let's me might more most must my myself no nor not now of off on once only or other
our ours ourselves out over own per please quite rather really same shall she should so some such than thank thanks
that that's the their theirs them themselves then there there's these they they're this those though through to too
under until up upon us very was we we're were what when where whether which while who whom whose why will with
would yet you you're your yours yourself hello hi dear ok okay still much many lot lots one thing things something
anything everything never without nobody nothing none neither cannot yes you've we've they've
`

// negators are the words that negate the next content word of their clause
// ("не перезвонили" → не+перезвон, "not helpful" → not+help), mapped to the
// prefix of the negated key: one prefix per language, so that «нет ответа»
// and «не ответили» meet in не+ответ and "no help" and "not helpful" in
// not+help. Russian «нет» right after a content word negates that word
// instead («ответа нет» is «нет ответа»). English contractions ending in
// n't are negators too (see classify).
var negators = map[string]string{
	"не": "не", "нет": "не", "нету": "не", "ни": "не", "без": "не",
	"никакой": "не", "никакого": "не", "никакие": "не", "никакая": "не", "никакую": "не", "никаких": "не",
	"not": "not", "no": "not", "never": "not", "without": "not", "nobody": "not", "nothing": "not",
	"none": "not", "neither": "not", "nor": "not", "cannot": "not",
	// contractions typed without the apostrophe
	"dont": "not", "didnt": "not", "doesnt": "not", "isnt": "not", "wasnt": "not", "werent": "not", "arent": "not",
	"cant": "not", "couldnt": "not", "wouldnt": "not", "wont": "not", "shouldnt": "not", "havent": "not",
	"hasnt": "not", "hadnt": "not",
}

// stopWords is the union of both lists. Built once; never written after.
var stopWords = func() map[string]bool {
	m := make(map[string]bool, 400)
	for _, w := range strings.Fields(russianStop + englishStop) {
		m[w] = true
	}
	return m
}()

// particles may follow a hyphen in a Russian function word («кто-то»,
// «какой-нибудь», «кое-как», «из-за»): a hyphenated word is a stop word when
// each part is a stop word or one of these.
var particles = map[string]bool{"то": true, "либо": true, "нибудь": true, "кое": true, "таки": true}
