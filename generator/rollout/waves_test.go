package rollout

import (
	"fmt"
	"testing"
)

// Waves are as few as the two bounds allow, and every wave keeps both: the count is the
// larger of ⌈n/limit⌉ (f validators down at once) and the largest party (its
// validators restart together), computed here from the inputs, not from Waves.
func TestWavesKeepFAndOnePerParty(t *testing.T) {
	for _, tc := range []struct {
		perParty []int
		limit    int
	}{
		{[]int{1}, 1}, {[]int{2, 2}, 1}, {[]int{2, 2, 2, 1}, 2}, {[]int{3, 1, 1, 1, 1}, 2},
		{[]int{1, 1, 1, 1, 1, 1, 1}, 2}, {[]int{4}, 3}, {[]int{2, 1}, 0}, {[]int{5, 5, 5, 5, 5, 5}, 5},
	} {
		t.Run(fmt.Sprint(tc.perParty, tc.limit), func(t *testing.T) {
			var in []Restart
			total, largest := 0, 0
			for p, n := range tc.perParty {
				for i := range n {
					in = append(in, Restart{Node: fmt.Sprintf("p%d-v%d", p, i), Party: fmt.Sprintf("p%d", p), Validator: true})
				}
				total += n
				largest = max(largest, n)
			}
			limit := max(tc.limit, 1)
			want := max((total+limit-1)/limit, largest)
			waves := Waves(in, tc.limit)
			if len(waves) != want {
				t.Errorf("%d waves %v, want %d", len(waves), waves, want)
			}
			seen := map[string]int{}
			for i, wave := range waves {
				if len(wave) > limit {
					t.Errorf("wave %d %v restarts %d > %d at once", i+1, wave, len(wave), limit)
				}
				parties := map[string]bool{}
				for _, node := range wave {
					party := node[:2]
					if parties[party] {
						t.Errorf("wave %d %v restarts two validators of %s", i+1, wave, party)
					}
					parties[party] = true
					seen[node]++
				}
			}
			for _, r := range in {
				if seen[r.Node] != 1 {
					t.Errorf("%s is in %d waves", r.Node, seen[r.Node])
				}
			}
		})
	}
}
