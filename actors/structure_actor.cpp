#include "actors/structure_actor.hpp"

#include "actors/protocol.hpp"

namespace hourglass::actors {

caf::behavior structure_actor(caf::stateful_actor<StructureState>* self, bool lent) {
  self->state.lent = lent;
  return {
      [=](lend_atom) -> caf::result<sim::Structure> {
        if (self->state.lent) return caf::sec::runtime_error;  // one borrower at a time
        self->state.lent = true;
        return std::move(self->state.structure);
      },
      [=](restore_atom, sim::Structure& s) {
        self->state.structure = std::move(s);
        self->state.lent = false;
      },
      [=](delete_atom) { self->quit(); },
  };
}

}  // namespace hourglass::actors
