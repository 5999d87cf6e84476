package metric

// tenureBands are the customer-lifetime bands, in whole months since the
// customer started: the first three quarters and the rest of the first year
// (matching the 3-, 6-, 9- and 12-month lifetime surveys), then the second
// year, then everything after.
var tenureBands = [...]struct {
	from  int // first month of the band (inclusive)
	label string
}{
	{0, "0-2"},
	{3, "3-5"},
	{6, "6-8"},
	{9, "9-11"},
	{12, "12-23"},
	{24, "24+"},
}

// TenureBands returns the band labels in order: "0-2", "3-5", "6-8", "9-11",
// "12-23", "24+".
func TenureBands() []string {
	out := make([]string, len(tenureBands))
	for i, b := range tenureBands {
		out[i] = b.label
	}
	return out
}

// TenureBand returns the label of the band holding months (whole months since
// the customer started; 0 is the first month). A negative value — an answer
// dated before the customer's start — belongs to no band and yields "", so
// that the data error shows up as its own group instead of inflating "0-2".
func TenureBand(months int) string {
	i := TenureBandIndex(months)
	if i < 0 {
		return ""
	}
	return tenureBands[i].label
}

// TenureBandIndex returns the position of months' band in TenureBands
// (0 for "0-2" … 5 for "24+"), or −1 for a negative value: a compact code for
// column indexes.
func TenureBandIndex(months int) int {
	if months < 0 {
		return -1
	}
	for i := len(tenureBands) - 1; i > 0; i-- {
		if months >= tenureBands[i].from {
			return i
		}
	}
	return 0
}
