package store

import (
	"context"
	"strconv"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// Product finds a product by GTIN. A malformed code gets its GTIN error, so the cashier learns the
// scan was misread rather than that the product is unknown.
func (s *Store) Product(ctx context.Context, gtin string) (comptoir.Product, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Product{}, err
	}
	if err := comptoir.ValidateGTIN(gtin); err != nil {
		return comptoir.Product{}, err
	}
	var p comptoir.Product
	err := s.view(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketCatalog).Get([]byte(comptoir.GTINKey(gtin)))
		if v == nil {
			return comptoir.E(comptoir.CodeUnknownProduct, gtin)
		}
		return decode(v, &p)
	})
	return p, err
}

// ImportProducts adds or replaces products in one transaction: every product is checked first,
// and a single bad one leaves the catalogue untouched. Tickets already recorded keep the price
// they were sold at. A comptoir.Progress in the context is told of each product written
// (comptoir.StepWrite).
func (s *Store) ImportProducts(ctx context.Context, products []comptoir.Product) (int, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, err
	}
	clean := make([]comptoir.Product, len(products))
	for i, p := range products {
		np, err := comptoir.NormalizeProduct(p)
		if err != nil {
			return 0, err
		}
		clean[i] = np
	}
	progress := comptoir.ProgressFrom(ctx)
	err := s.update(func(tx *bbolt.Tx) error {
		cat := tx.Bucket(bucketCatalog)
		for i, p := range clean {
			if err := cat.Put([]byte(comptoir.GTINKey(p.GTIN)), encode(p)); err != nil {
				return err
			}
			if progress != nil {
				progress(comptoir.StepWrite, i+1, len(clean))
			}
		}
		// A price list that changed is a technical event (NF525): it explains the prices of the
		// tickets that follow.
		return s.logTech(tx, comptoir.TechCatalogImport, comptoir.ActorFrom(ctx), strconv.Itoa(len(clean))+" products")
	})
	if err != nil {
		return 0, err
	}
	return len(clean), nil
}

// Products lists the catalogue in GTIN order. It holds the whole catalogue in memory: listings
// go through EachProduct instead.
func (s *Store) Products(ctx context.Context) ([]comptoir.Product, error) {
	var out []comptoir.Product
	err := s.EachProduct(ctx, func(p comptoir.Product) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

// checkEvery is how many rows a long iteration reads between two looks at its context: often
// enough that Ctrl+C stops a million-row listing at once, rarely enough to cost nothing.
const checkEvery = 256

// EachProduct calls fn with every product in GTIN order, in one read transaction, as it reads
// them: a listing of a million products writes its first line at once and holds one product in
// memory. It stops at the first error fn returns, and with the context's error when the context
// is cancelled. Each product is decoded into memory of its own, so fn may keep it.
func (s *Store) EachProduct(ctx context.Context, fn func(comptoir.Product) error) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.view(func(tx *bbolt.Tx) error {
		n := 0
		return tx.Bucket(bucketCatalog).ForEach(func(_, v []byte) error {
			if n++; n%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var p comptoir.Product
			if err := decode(v, &p); err != nil {
				return err
			}
			return fn(p)
		})
	})
}
