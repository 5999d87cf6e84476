package demo

import (
	"strings"

	"otklik"
)

// Team names of the demo broker.
const (
	teamMoscow  = "Москва"
	teamSPb     = "Санкт-Петербург"
	teamRegions = "Регионы"
)

// staff is one demo user. For managers, speed and quality shift the answers
// of their customers (in standard deviations of the latent satisfaction), and
// weight is their share of the team's customers.
type staff struct {
	first, last string
	dat, ins    string // first name in the dative and instrumental cases
	female      bool
	role        otklik.Role
	team        string
	speed       float64
	quality     float64
	weight      float64
}

func (s *staff) name() string  { return s.first + " " + s.last }
func (s *staff) email() string { return translit(s.first) + "." + translit(s.last) + "@broker.example" }

// latin is the first name as English comments write it.
func (s *staff) latin() string {
	t := translit(s.first)
	return strings.ToUpper(t[:1]) + t[1:]
}

// people is the broker's staff. Anna Smirnova is the excellent manager; Pavel
// Fyodorov (slow) and Mikhail Orlov (weak on expertise) are the two whose
// customers are noticeably less happy. The figures do not depend on the seed,
// so the demo always tells the same story.
var people = []*staff{
	{first: "Ольга", last: "Кузнецова", dat: "Ольге", ins: "Ольгой", female: true, role: otklik.RoleLead, team: teamMoscow},
	{first: "Анна", last: "Смирнова", dat: "Анне", ins: "Анной", female: true, role: otklik.RoleManager, team: teamMoscow, speed: 0.9, quality: 0.8, weight: 1.2},
	{first: "Дмитрий", last: "Волков", dat: "Дмитрию", ins: "Дмитрием", role: otklik.RoleManager, team: teamMoscow, speed: 0.05, quality: 0.1, weight: 1.1},
	{first: "Мария", last: "Соколова", dat: "Марии", ins: "Марией", female: true, role: otklik.RoleManager, team: teamMoscow, speed: 0.15, quality: -0.05, weight: 0.9},
	{first: "Игорь", last: "Лебедев", dat: "Игорю", ins: "Игорем", role: otklik.RoleManager, team: teamMoscow, speed: 0.0, quality: 0.1, weight: 0.8},

	{first: "Алексей", last: "Морозов", dat: "Алексею", ins: "Алексеем", role: otklik.RoleLead, team: teamSPb},
	{first: "Екатерина", last: "Новикова", dat: "Екатерине", ins: "Екатериной", female: true, role: otklik.RoleManager, team: teamSPb, speed: 0.2, quality: 0.15, weight: 1.1},
	{first: "Павел", last: "Фёдоров", dat: "Павлу", ins: "Павлом", role: otklik.RoleManager, team: teamSPb, speed: -1.0, quality: -0.45, weight: 1.0},
	{first: "Наталья", last: "Павлова", dat: "Наталье", ins: "Натальей", female: true, role: otklik.RoleManager, team: teamSPb, speed: 0.0, quality: 0.05, weight: 0.9},
	{first: "Андрей", last: "Козлов", dat: "Андрею", ins: "Андреем", role: otklik.RoleManager, team: teamSPb, speed: 0.1, quality: -0.1, weight: 1.0},

	{first: "Татьяна", last: "Егорова", dat: "Татьяне", ins: "Татьяной", female: true, role: otklik.RoleLead, team: teamRegions},
	{first: "Сергей", last: "Попов", dat: "Сергею", ins: "Сергеем", role: otklik.RoleManager, team: teamRegions, speed: 0.1, quality: 0.2, weight: 1.1},
	{first: "Елена", last: "Васильева", dat: "Елене", ins: "Еленой", female: true, role: otklik.RoleManager, team: teamRegions, speed: -0.05, quality: 0.0, weight: 1.0},
	{first: "Михаил", last: "Орлов", dat: "Михаилу", ins: "Михаилом", role: otklik.RoleManager, team: teamRegions, speed: -0.3, quality: -0.9, weight: 1.0},
	{first: "Юлия", last: "Никитина", dat: "Юлии", ins: "Юлией", female: true, role: otklik.RoleManager, team: teamRegions, speed: 0.05, quality: 0.05, weight: 0.9},

	{first: "Ирина", last: "Белова", dat: "Ирине", ins: "Ириной", female: true, role: otklik.RoleInterviewer},
	{first: "Максим", last: "Григорьев", dat: "Максиму", ins: "Максимом", role: otklik.RoleAgent},
	{first: "Виктор", last: "Сорокин", dat: "Виктору", ins: "Виктором", role: otklik.RoleViewer},
}

// teams lists the teams with their share of the customers and the regions
// their customers come from.
var teams = []struct {
	name    string
	share   float64
	regions []weighted[string]
}{
	{teamMoscow, 0.42, []weighted[string]{{"Москва", 85}, {"Московская область", 15}}},
	{teamSPb, 0.26, []weighted[string]{{"Санкт-Петербург", 88}, {"Ленинградская область", 12}}},
	{teamRegions, 0.32, []weighted[string]{
		{"Казань", 16}, {"Екатеринбург", 16}, {"Новосибирск", 14}, {"Нижний Новгород", 11}, {"Краснодар", 11},
		{"Самара", 9}, {"Ростов-на-Дону", 9}, {"Уфа", 6}, {"Пермь", 5}, {"Воронеж", 3}}},
}

// managersOf returns the managers of team in the order of people.
func managersOf(team string) []*staff {
	var out []*staff
	for _, p := range people {
		if p.role == otklik.RoleManager && p.team == team {
			out = append(out, p)
		}
	}
	return out
}

var maleFirst = []string{"Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Евгений", "Иван",
	"Михаил", "Артём", "Николай", "Владимир", "Павел", "Роман", "Денис", "Антон", "Олег", "Игорь", "Виталий",
	"Константин", "Кирилл", "Юрий", "Вадим", "Руслан", "Тимур", "Илья", "Григорий", "Станислав", "Ринат", "Егор"}

var femaleFirst = []string{"Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Мария",
	"Екатерина", "Юлия", "Анастасия", "Марина", "Людмила", "Алина", "Дарья", "Ксения", "Виктория", "Полина",
	"Валентина", "Галина", "Оксана", "Надежда", "Вера", "Кристина", "Лилия", "Диана", "Софья", "Эльвира", "Яна", "Алёна"}

// surnames are in the masculine form; feminine() derives the other.
var surnames = []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
	"Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
	"Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов",
	"Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев",
	"Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов",
	"Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов",
	"Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов",
	"Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев",
	"Тимофеев", "Фомин", "Чернов", "Абрамов", "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин",
	"Исаев", "Чернышёв", "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов",
	"Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников", "Трофимов",
	"Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров", "Грачёв", "Котов",
	"Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов", "Моисеев", "Румянцев", "Акимов",
	"Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Еремин", "Тихомиров", "Галкин", "Лукьянов", "Михеев",
	"Скворцов", "Юдин", "Белоусов", "Нестеров", "Симонов", "Прокофьев", "Харитонов", "Князев", "Цветков",
	"Левин", "Митрофанов", "Воронов", "Аксёнов", "Софронов", "Мальцев", "Логинов", "Горшков", "Савин",
	"Краснов", "Майоров", "Демидов", "Елисеев", "Рыбаков", "Сафонов", "Плотников", "Демин", "Хохлов",
	"Жданов", "Руденко", "Ковальчук", "Шевченко", "Бондаренко", "Ткаченко", "Кравченко", "Гайдук", "Мельник",
	"Хабибуллин", "Сафин", "Гарипов", "Валиев", "Ахметов", "Шарипов", "Зайнуллин", "Галиев", "Исмаилов",
	"Островский", "Вишневский", "Покровский", "Соколовский", "Добровольский", "Черных", "Седых", "Белых"}

var patronymics = []string{"Александрович", "Сергеевич", "Викторович", "Андреевич", "Николаевич", "Дмитриевич",
	"Игоревич", "Владимирович", "Олегович", "Юрьевич", "Петрович", "Михайлович", "Евгеньевич", "Анатольевич",
	"Валерьевич", "Геннадьевич", "Борисович", "Васильевич", "Павлович", "Романович"}

// feminine returns the feminine form of a masculine surname or patronymic.
func feminine(s string) string {
	switch {
	case strings.HasSuffix(s, "ич"): // Сергеевич → Сергеевна
		return strings.TrimSuffix(s, "ич") + "на"
	case strings.HasSuffix(s, "ский"), strings.HasSuffix(s, "цкий"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ёв"),
		strings.HasSuffix(s, "ин"), strings.HasSuffix(s, "ын"):
		return s + "а"
	}
	return s // Шевченко, Ковальчук, Черных
}

// English-speaking customers (expats) and their names.
var (
	enMale    = []string{"James", "John", "Michael", "David", "Thomas", "Daniel", "Mark", "Peter", "Richard", "Paul", "Lukas", "Marco"}
	enFemale  = []string{"Emma", "Sarah", "Laura", "Anna", "Julia", "Emily", "Sophie", "Claire", "Hannah", "Maria"}
	enSurname = []string{"Smith", "Carter", "Miller", "Taylor", "Brown", "Wilson", "Walker", "Hughes", "Schmidt",
		"Müller", "Rossi", "Bianchi", "Martin", "Dubois", "Jensen", "O'Neill"}
)

// Companies are «ООО «<prefix><suffix>»».
var (
	companyPrefix = []string{"Техно", "Строй", "Агро", "Мед", "Транс", "Логистик", "Альфа", "Бета", "Север", "Юг",
		"Восток", "Вектор", "Гранит", "Сибирь", "Волга", "Урал", "Нева", "Кама", "Лидер", "Эко", "Профи", "Дом",
		"Авто", "Энерго", "Пром", "Торг", "Инвест", "Снаб", "Мега", "Стандарт"}
	companySuffix = []string{"Сервис", "Групп", "Маркет", "Плюс", "Трейд", "Комплект", "Ресурс", "Строй", "Снаб",
		"Мастер", "Лайн", "Софт", "Проект", "Центр", "Регион"}
)

var translitTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya",
}

// translit spells a Russian word in lower-case Latin letters, as Russian
// passports do, for e-mail addresses. Other letters are kept when they are
// ASCII letters or digits and dropped otherwise.
func translit(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if t, ok := translitTable[r]; ok {
			b.WriteString(t)
		} else if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if r == 'ü' {
			b.WriteString("ue")
		}
	}
	return b.String()
}
