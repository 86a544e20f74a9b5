package render

import "reflect"

// LocalNodeFields is the type listing the node fields only their party's units read.
var LocalNodeFields = reflect.TypeFor[localNodeFields]()
