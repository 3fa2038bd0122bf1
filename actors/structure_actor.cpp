#include "actors/structure_actor.hpp"

#include "actors/exception_handler.hpp"
#include "actors/protocol.hpp"

namespace hourglass::actors {

caf::behavior structure_actor(caf::stateful_actor<StructureState>* self, bool lent, FaultInjectorPtr faults) {
  self->state.lent = lent;
  if (faults) {  // nothing else throws here; a handler per idle actor would cost memory
    self->state.faults = std::move(faults);
    self->set_exception_handler(exception_to_error);
  }
  return {
      [=](lend_atom) -> caf::result<sim::Structure> {
        if (self->state.lent) return caf::sec::runtime_error;  // one borrower at a time
        auto& st = self->state;
        check_fault(st.faults, "structure", st.structure.id, st.lends, st.lends + 1);
        ++st.lends;
        st.lent = true;
        return std::move(st.structure);
      },
      [=](restore_atom, sim::Structure& s) {
        self->state.structure = std::move(s);
        self->state.lent = false;
      },
      [=](delete_atom) { self->quit(); },
  };
}

}  // namespace hourglass::actors
